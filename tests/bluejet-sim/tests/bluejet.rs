//! Drives every behaviour of the BlueJet simulator over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::{Duration, Instant};

use bluejet_sim::{
    BlueJetSim, ChangeRequest, ChangeSchedule, DateFormat, FaultSpec, MalformedKind, OffsetFailure, PRODUCTS,
    RunningBlueJetSim, Sizes, Trigger,
};
use common::*;
use reqwest::Client;
use serde_json::Value;

async fn small(seed: u64) -> RunningBlueJetSim {
    BlueJetSim::builder().sizes(Sizes::SMALL).seed(seed).start().await.unwrap()
}

#[tokio::test]
async fn auth_good_wrong_and_case_insensitive_keys() {
    let sim = small(1).await;
    let c = Client::new();
    let url = format!("{}/api/v1/users/authenticate", sim.url());
    let (id, hash) = sim.credentials();
    let ok: Value = c
        .post(&url)
        .json(&serde_json::json!({"TOKENid": id, "tokenhash": hash}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["succeeded"], true);
    assert_eq!(ok["message"], "");
    let tok = ok["token"].as_str().unwrap();
    assert!(!tok.is_empty());
    let p = get(&c, &sim, tok, &[("no", "217"), ("limit", "1")]).await;
    assert_eq!(p.status, 200);

    let wrong = c.post(&url).json(&serde_json::json!({"tokenID": id, "tokenHash": "nope"})).send().await.unwrap();
    assert_eq!(wrong.status(), 200);
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(wrong, serde_json::json!({"succeeded": false, "token": "", "message": "Špatné přihlašovací údaje."}));

    // no token, unknown token
    let r = c.get(format!("{}/api/v1/data?no=217", sim.url())).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(get(&c, &sim, "made-up", &[("no", "217")]).await.status, 401);
    let st = sim.stats();
    assert_eq!((st.auth_calls, st.auth_succeeded, st.auth_failed, st.unauthorized), (2, 1, 1, 2));
}

#[tokio::test]
async fn token_expiry_lifetime_invalidate_and_periodic() {
    let sim =
        BlueJetSim::builder().sizes(Sizes::SMALL).token_lifetime(Duration::from_millis(300)).start().await.unwrap();
    let c = Client::new();
    let t = token(&c, &sim).await;
    assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("limit", "1")]).await.status, 200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("limit", "1")]).await.status, 401);
    let log = sim.log();
    assert_eq!(log.last().unwrap().fault.as_deref(), Some("token-expired"));
    sim.shutdown().await;

    let sim = small(2).await;
    let t = token(&c, &sim).await;
    assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("limit", "1")]).await.status, 200);
    let r: Value = c.post(format!("{}/admin/invalidate-tokens", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["invalidated"], 1);
    assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("limit", "1")]).await.status, 401);

    sim.set_faults(FaultSpec { expire_tokens_every_secs: Some(1), ..FaultSpec::default() });
    let t = token(&c, &sim).await;
    let mut saw_401 = false;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        if get(&c, &sim, &t, &[("no", "217"), ("limit", "1")]).await.status == 401 {
            saw_401 = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(saw_401, "a token must die at the next period boundary");
    assert!(sim.stats().faults.token_invalidations >= 2);
}

#[tokio::test]
async fn offset_paging_total_count_and_limits() {
    let sim = small(3).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let p = get(&c, &sim, &t, &[("no", "217"), ("limit", "200"), ("offset", "200")]).await;
    assert_eq!(p.status, 200);
    assert_eq!(p.total, Some(2000));
    assert_eq!(p.body["no"], 217);
    assert_eq!(p.body["recordsCount"], 2000);
    assert_eq!(p.body["rows"][0]["offset"], 200);
    assert_eq!(p.body["rows"][199]["offset"], 399);
    assert_eq!(p.rows().len(), 200);
    let cols: Vec<&str> =
        p.body["rows"][0]["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        cols,
        [
            "productid",
            "code",
            "name",
            "nazev",
            "supplier",
            "category",
            "ean",
            "price",
            "vat",
            "unit",
            "stock",
            "brand",
            "material",
            "size",
            "description",
            "modifiedon",
            "createdon"
        ]
    );
    let all = dump(&c, &sim, &t, 217).await;
    let keys: Vec<String> = all.iter().map(|r| r["productid"].as_str().unwrap().to_string()).collect();
    assert_eq!(keys.len(), 2000);
    assert_eq!(keys.iter().collect::<HashSet<_>>().len(), 2000);
    assert_eq!(keys, sim.keys(PRODUCTS));
    // over the maximum: served the maximum
    let p = get(&c, &sim, &t, &[("no", "217"), ("limit", "500")]).await;
    assert_eq!(p.rows().len(), 200);
    // limit 0 counts only
    let p = get(&c, &sim, &t, &[("no", "222"), ("limit", "0")]).await;
    assert_eq!((p.rows().len(), p.total), (0, Some(300)));
    // other evidences and the /Data spelling
    for (no, key, n) in [
        (222, "contactid", 300),
        (225, "firmaid", 200),
        (293, "nabidkaid", 400),
        (323, "fakturaid", 300),
        (356, "objednavkaid", 250),
    ] {
        let r = c.get(format!("{}/api/v1/Data?no={no}&limit=5", sim.url())).header("X-Token", &t).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-total-count"], n.to_string().as_str());
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["rows"][0]["columns"][0]["name"], key);
    }
    sim.shutdown().await;

    let strict = BlueJetSim::builder().sizes(Sizes::SMALL).max_limit(50).reject_over_limit(true).start().await.unwrap();
    let t = token(&c, &strict).await;
    assert_eq!(get(&c, &strict, &t, &[("no", "217"), ("limit", "51")]).await.status, 400);
    assert_eq!(get(&c, &strict, &t, &[("no", "217"), ("limit", "50")]).await.rows().len(), 50);
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

async fn count(
    c: &Client,
    sim: &RunningBlueJetSim,
    t: &str,
    no: &str,
    cond: &str,
    sort: Option<&str>,
) -> (usize, Vec<Row>) {
    let mut params = vec![("no", no), ("condition", cond), ("limit", "200")];
    if let Some(s) = sort {
        params.push(("sort", s));
    }
    let p = get(c, sim, t, &params).await;
    assert_eq!(p.status, 200, "{cond}: {}", p.text);
    (p.total.unwrap(), p.rows())
}

#[tokio::test]
async fn every_operator_matches_a_brute_force_filter() {
    let sim = small(4).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let all = dump(&c, &sim, &t, 217).await;
    let s = |r: &Row, k: &str| r[k].as_str().unwrap_or("").to_string();
    let code = s(&all[100], "code");
    assert_eq!(count(&c, &sim, &t, "217", &format!("code|=|{code}"), None).await.0, 1);
    assert_eq!(count(&c, &sim, &t, "217", &format!("code|=|{}", code.to_lowercase()), None).await.0, 1, "CI collation");
    assert_eq!(count(&c, &sim, &t, "217", &format!("code|!=|{code}"), None).await.0, 1999);
    let want = all.iter().filter(|r| s(r, "name").to_lowercase().contains("hrnec")).count();
    assert!(want > 10);
    let (n, rows) = count(&c, &sim, &t, "217", "name|contains|HRNEC", None).await;
    assert_eq!(n, want);
    assert!(rows.iter().all(|r| s(r, "name").to_lowercase().contains("hrnec")));
    let want = all.iter().filter(|r| s(r, "nazev").starts_with("Konvektomat")).count();
    assert!(want > 0);
    assert_eq!(count(&c, &sim, &t, "217", "nazev|starts|konvektomat", None).await.0, want);
    let pivot = num(&all[7]["price"]);
    for (op, f) in [
        ("<", (|a: f64, b: f64| a < b) as fn(f64, f64) -> bool),
        (">", |a, b| a > b),
        ("<=", |a, b| a <= b),
        (">=", |a, b| a >= b),
        ("=", |a, b| a == b),
        ("!=", |a, b| a != b),
    ] {
        let want = all.iter().filter(|r| f(num(&r["price"]), pivot)).count();
        // scan path (sorted by key) and index path (sorted by the condition column)
        assert_eq!(count(&c, &sim, &t, "217", &format!("price|{op}|{pivot}"), None).await.0, want, "price {op}");
        let (n, rows) = count(&c, &sim, &t, "217", &format!("price|{op}|{pivot}"), Some("-price")).await;
        assert_eq!(n, want, "price {op} indexed");
        assert!(rows.iter().all(|r| f(num(&r["price"]), pivot)));
    }
    // dates: ISO text compares like the date
    let m = s(&all[3], "modifiedon");
    for (op, f) in [
        ("<", (|a: &str, b: &str| a < b) as fn(&str, &str) -> bool),
        (">", |a, b| a > b),
        ("<=", |a, b| a <= b),
        (">=", |a, b| a >= b),
        ("=", |a, b| a == b),
    ] {
        let want = all.iter().filter(|r| f(&s(r, "modifiedon"), &m)).count();
        assert_eq!(count(&c, &sim, &t, "217", &format!("modifiedon|{op}|{m}"), Some("+modifiedon")).await.0, want);
        assert_eq!(count(&c, &sim, &t, "217", &format!("modifiedon|{op}|{m}"), None).await.0, want);
    }
    // a GUID reference column
    let firm = sim.keys(225)[0].clone();
    let contacts = dump(&c, &sim, &t, 222).await;
    let want = contacts.iter().filter(|r| r["firmaid"] == firm.as_str()).count();
    assert_eq!(count(&c, &sim, &t, "222", &format!("firmaid|=|{firm}"), None).await.0, want);
}

#[tokio::test]
async fn guid_sort_and_keyset_follow_sql_server_order_not_text() {
    let sim = small(5).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let mut keys = Vec::new();
    loop {
        let off = keys.len().to_string();
        let p = get(&c, &sim, &t, &[("no", "217"), ("sort", "+productid"), ("offset", &off), ("limit", "200")]).await;
        let k = p.keys("productid");
        if k.is_empty() {
            break;
        }
        keys.extend(k);
    }
    assert_eq!(keys.len(), 2000);
    assert!(keys.windows(2).all(|w| sql_guid_cmp(&w[0], &w[1]).is_lt()), "SQL order");
    let mut text = keys.clone();
    text.sort();
    assert_ne!(keys, text, "a client assuming text order must be caught");
    // keyset paging by key
    let pivot = keys[1000].clone();
    let (n, rows) = count(&c, &sim, &t, "217", &format!("productid|>|{pivot}"), Some("+productid")).await;
    assert_eq!(n, 999);
    assert_eq!(rows[0]["productid"], keys[1001].as_str());
    let text_greater = keys.iter().filter(|k| **k > pivot).count();
    assert_ne!(n, text_greater);
    // descending
    let p = get(&c, &sim, &t, &[("no", "217"), ("sort", "-productid"), ("limit", "3")]).await;
    assert_eq!(p.keys("productid"), keys.iter().rev().take(3).cloned().collect::<Vec<_>>());
}

#[tokio::test]
async fn sort_plus_as_space_desc_and_deterministic_ties() {
    let sim = small(6).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let raw_plus = get_raw(&c, &sim, &t, "no=217&sort=+price&limit=50").await; // '+' decodes to a space
    let enc_plus = get_raw(&c, &sim, &t, "no=217&sort=%2Bprice&limit=50").await;
    let bare = get_raw(&c, &sim, &t, "no=217&sort=price&limit=50").await;
    assert_eq!(raw_plus.status, 200);
    assert_eq!(raw_plus.keys("productid"), enc_plus.keys("productid"));
    assert_eq!(raw_plus.keys("productid"), bare.keys("productid"));
    let prices: Vec<f64> = raw_plus.col("price").iter().map(num).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    let desc = get(&c, &sim, &t, &[("no", "217"), ("sort", "-price"), ("limit", "50")]).await;
    let prices: Vec<f64> = desc.col("price").iter().map(num).collect();
    assert!(prices.windows(2).all(|w| w[0] >= w[1]));
    // ties on modifiedon are broken by key in SQL order, so keyset paging is well defined
    let all = {
        let mut v = Vec::new();
        loop {
            let off = v.len().to_string();
            let p =
                get(&c, &sim, &t, &[("no", "217"), ("sort", "+modifiedon"), ("offset", &off), ("limit", "200")]).await;
            let rows = p.rows();
            if rows.is_empty() {
                break;
            }
            v.extend(rows);
        }
        v
    };
    let mut ties = 0;
    for w in all.windows(2) {
        let (a, b) = (w[0]["modifiedon"].as_str().unwrap(), w[1]["modifiedon"].as_str().unwrap());
        assert!(a <= b);
        if a == b {
            ties += 1;
            assert!(sql_guid_cmp(w[0]["productid"].as_str().unwrap(), w[1]["productid"].as_str().unwrap()).is_lt());
        }
    }
    assert!(ties > 100, "bulk imports give shared modifiedon values: {ties}");
}

#[tokio::test]
async fn fields_errors_and_unknowns() {
    let sim = small(7).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let p = get(&c, &sim, &t, &[("no", "217"), ("fields", "productid,name,price"), ("limit", "3")]).await;
    assert_eq!(p.status, 200);
    // Sorted: whether a JSON map keeps insertion order depends on serde_json's features.
    assert!(p.rows().iter().all(|r| {
        let mut keys = r.keys().cloned().collect::<Vec<_>>();
        keys.sort();
        keys == ["name", "price", "productid"]
    }));
    assert_eq!(p.body["rows"][0]["columns"].as_array().unwrap().len(), 3);
    let p = get(&c, &sim, &t, &[("no", "293"), ("fields", "nabidkaid,nazev")]).await;
    assert_eq!(p.status, 400, "fields is refused on 293");
    assert_eq!(get(&c, &sim, &t, &[("no", "293")]).await.status, 200);
    for (q, what) in [
        ("offset=0&limit=10", "missing no"),
        ("no=999", "unknown evidence"),
        ("no=abc", "bad no"),
        ("no=217&offset=abc", "bad offset"),
        ("no=217&limit=-1", "bad limit"),
        ("no=217&fields=nope", "unknown field"),
        ("no=217&sort=%2Bnope", "unknown sort column"),
        ("no=217&condition=price%7C~%7C3", "unknown operator"),
        ("no=217&condition=nope%7C%3D%7C3", "unknown condition column"),
        ("no=217&condition=price%7C%3C%7Cabc", "non-number for a number column"),
        ("no=217&condition=productid%7C%3D%7Cnot-a-guid", "non-GUID for a key"),
        ("no=217&condition=modifiedon%7C%3E%7C2026-02-30T00:00:00", "invalid date"),
        ("no=217&condition=price", "not a triple"),
        ("no=217&condition=price%7C%3E%7C1&condition=price%7C%3C%7C9", "two conditions"),
    ] {
        let p = get_raw(&c, &sim, &t, q).await;
        assert_eq!(p.status, 400, "{what}: {}", p.text);
        assert!(!p.text.is_empty());
    }
    let r = c.get(format!("{}/api/v1/nope", sim.url())).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(sim.stats().bad_requests, 15);
}

#[tokio::test]
async fn changes_modify_insert_delete_and_incremental_reads() {
    let sim = small(8).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let before: BTreeMap<String, Row> =
        dump(&c, &sim, &t, 217).await.into_iter().map(|r| (r["productid"].as_str().unwrap().to_string(), r)).collect();
    let r: bluejet_sim::ChangeResult = c
        .post(format!("{}/admin/change", sim.url()))
        .json(&serde_json::json!({"no": 217, "modify": 20, "price_only_share": 0.5, "insert": 5, "delete": 3}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((r.modified.len(), r.inserted.len(), r.deleted.len()), (20, 5, 3));
    assert_eq!(r.price_only.len() + r.text_changed.len(), 20);
    assert!(!r.price_only.is_empty() && !r.text_changed.is_empty());
    assert_eq!(sim.count(217), Some(2002));
    let after: BTreeMap<String, Row> =
        dump(&c, &sim, &t, 217).await.into_iter().map(|r| (r["productid"].as_str().unwrap().to_string(), r)).collect();
    for k in &r.deleted {
        assert!(!after.contains_key(k));
        assert_eq!(count(&c, &sim, &t, "217", &format!("productid|=|{k}"), None).await.0, 0);
    }
    for k in &r.inserted {
        assert!(!before.contains_key(k));
        assert_eq!(after[k]["modifiedon"], r.at.as_str());
    }
    for k in &r.price_only {
        let (b, a) = (&before[k], &after[k]);
        assert_eq!(a["modifiedon"], r.at.as_str());
        assert_eq!(a["name"], b["name"]);
        assert_eq!(a["description"], b["description"]);
        assert!(a["price"] != b["price"] || a["stock"] != b["stock"]);
    }
    for k in &r.text_changed {
        let (b, a) = (&before[k], &after[k]);
        assert!(a["name"] != b["name"] || a["description"] != b["description"], "{k}");
    }
    // incremental read by the cursor returns exactly what changed
    let (n, rows) = count(&c, &sim, &t, "217", &format!("modifiedon|>=|{}", r.at), Some("+modifiedon")).await;
    assert_eq!(n, 25);
    let got: BTreeSet<String> = rows.iter().map(|r| r["productid"].as_str().unwrap().to_string()).collect();
    let want: BTreeSet<String> = r.modified.iter().chain(&r.inserted).cloned().collect();
    assert_eq!(got, want);
    // the clock only moves forward
    let r2 = sim.change(&ChangeRequest::new(217).modify_share(0.01)).unwrap();
    assert_eq!(r2.modified.len(), 20);
    assert!(r2.at > r.at);
    assert_eq!(sim.changes().len(), 2);
    let st = sim.stats();
    assert_eq!((st.changes_applied, st.records_modified, st.records_inserted, st.records_deleted), (2, 40, 5, 3));
    // unknown evidence
    let resp = c
        .post(format!("{}/admin/change", sim.url()))
        .json(&serde_json::json!({"no": 1, "modify": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn changes_during_reads_break_naive_offset_paging() {
    let sim = BlueJetSim::builder()
        .sizes(Sizes::SMALL)
        .seed(9)
        .change_schedule(ChangeSchedule {
            every_requests: 2,
            change: ChangeRequest::new(217).modify(50).price_only_share(1.0),
        })
        .start()
        .await
        .unwrap();
    let c = Client::new();
    let t = token(&c, &sim).await;
    // naive: offset paging sorted by modifiedon while records move to the end
    let mut seen = Vec::new();
    for page in 0..10 {
        let off = (page * 200).to_string();
        let p = get(&c, &sim, &t, &[("no", "217"), ("sort", "+modifiedon"), ("offset", &off), ("limit", "200")]).await;
        seen.extend(p.keys("productid"));
    }
    let changes = sim.changes();
    assert_eq!(changes.len(), 5, "a change after every second page");
    let unique: HashSet<&String> = seen.iter().collect();
    assert!(unique.len() < 2000, "rows moved past the reader: some are skipped");
    assert!(seen.len() > unique.len(), "and some are read twice");
    // an admin change concurrent with reads
    sim.set_change_schedule(None);
    let url = sim.url();
    let reads = async {
        for _ in 0..20 {
            assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("limit", "200")]).await.status, 200);
        }
    };
    let change = async {
        let r = c
            .post(format!("{url}/admin/change"))
            .json(&serde_json::json!({"no": 217, "modify_share": 0.05}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    };
    tokio::join!(reads, change);
    assert_eq!(sim.changes().len(), 6);
}

#[tokio::test]
async fn every_fault_kind() {
    let sim = small(10).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let q = [("no", "217"), ("limit", "10")];

    // latency, fixed and jittered
    sim.set_faults(FaultSpec { latency_ms: 120, ..FaultSpec::default() });
    let t0 = Instant::now();
    assert_eq!(get(&c, &sim, &t, &q).await.status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(120));
    sim.set_faults(FaultSpec { latency_ms: 10, jitter_ms: 40, ..FaultSpec::default() });
    let t0 = Instant::now();
    for _ in 0..5 {
        get(&c, &sim, &t, &q).await;
    }
    assert!(t0.elapsed() >= Duration::from_millis(50));
    assert_eq!(sim.stats().faults.latency, 6);

    // 429 with Retry-After for the next two requests
    let body = serde_json::json!({"rate_limit": {"next": 2, "retry_after_secs": 3}});
    c.post(format!("{}/admin/faults", sim.url())).json(&body).send().await.unwrap();
    for _ in 0..2 {
        let r = c.get(format!("{}/api/v1/data?no=217", sim.url())).header("X-Token", &t).send().await.unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "3");
    }
    assert_eq!(get(&c, &sim, &t, &q).await.status, 200);

    // each 5xx for the next request
    for status in [500u16, 502, 503, 504] {
        sim.set_faults(FaultSpec { server_error: Some(Trigger::next(1).status(status)), ..FaultSpec::default() });
        assert_eq!(get(&c, &sim, &t, &q).await.status, status);
        assert_eq!(get(&c, &sim, &t, &q).await.status, 200);
    }
    // at a rate
    sim.set_faults(FaultSpec { server_error: Some(Trigger::rate(0.5)), ..FaultSpec::default() });
    let mut fails = 0;
    for _ in 0..40 {
        if get(&c, &sim, &t, &q).await.status == 503 {
            fails += 1;
        }
    }
    assert!((8..=32).contains(&fails), "{fails}");

    // connection reset: the client gets no answer
    sim.set_faults(FaultSpec { reset: Some(Trigger::next(1)), ..FaultSpec::default() });
    let err = c.get(format!("{}/api/v1/data?no=217", sim.url())).header("X-Token", &t).send().await;
    assert!(err.is_err(), "a reset must surface as a transport error");
    assert_eq!(get(&c, &sim, &t, &q).await.status, 200);

    // hard failure from an offset on, one evidence only
    sim.set_faults(FaultSpec {
        fail_from_offset: Some(OffsetFailure { offset: 400, status: 500, no: Some(217) }),
        ..FaultSpec::default()
    });
    assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("offset", "200")]).await.status, 200);
    assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("offset", "400")]).await.status, 500);
    assert_eq!(get(&c, &sim, &t, &[("no", "217"), ("offset", "1800")]).await.status, 500);
    assert_eq!(get(&c, &sim, &t, &[("no", "293"), ("offset", "400")]).await.status, 200);

    let st = sim.stats();
    assert_eq!(st.faults.http429, 2);
    assert_eq!(st.faults.resets, 1);
    assert_eq!(st.faults.offset_failures, 2);
    assert_eq!(st.faults.http5xx[&500], 1);
    assert_eq!(st.faults.http5xx[&502], 1);
    assert_eq!(st.faults.http5xx[&503], 1 + fails);
    assert_eq!(st.faults.http5xx[&504], 1);
    assert!(sim.log().iter().any(|e| e.status.is_none() && e.fault.as_deref() == Some("reset")));
    // current spec readable over admin
    let spec: FaultSpec = c.get(format!("{}/admin/faults", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(spec.fail_from_offset.unwrap().offset, 400);
}

#[tokio::test]
async fn every_malformed_row_class_is_served() {
    let mut b = BlueJetSim::builder().sizes(Sizes::SMALL).seed(11);
    for kind in MalformedKind::ALL {
        b = b.malformed(PRODUCTS, kind, 3);
    }
    let b = b.malformed(293, MalformedKind::WrongType, 2);
    let sim = b.start().await.unwrap();
    let c = Client::new();
    let t = token(&c, &sim).await;
    let rows = dump(&c, &sim, &t, 217).await;
    assert_eq!(rows.len(), 2000);
    let key = |r: &Row| r.get("productid").cloned();
    assert_eq!(rows.iter().filter(|r| key(r).is_none()).count(), 3, "missing key");
    assert_eq!(rows.iter().filter(|r| key(r) == Some(Value::Null)).count(), 3, "null key");
    let texts: Vec<String> = rows.iter().filter_map(|r| r.get("productid")?.as_str().map(str::to_string)).collect();
    let non_guid = texts.iter().filter(|k| bluejet_sim::guid::Guid::parse(k).is_none()).count();
    assert_eq!(non_guid, 3, "non-GUID key");
    let mut seen = HashSet::new();
    let dups = texts.iter().filter(|k| !seen.insert(*k)).count();
    assert_eq!(dups, 3, "duplicate keys");
    assert_eq!(rows.iter().filter(|r| r["price"] == "abc").count(), 3, "wrong type");
    assert_eq!(rows.iter().filter(|r| r["name"] == "").count(), 3, "empty text");
    assert_eq!(rows.iter().filter(|r| r["name"].as_str().is_some_and(|s| s.chars().count() >= 70_000)).count(), 3);
    assert_eq!(
        rows.iter().filter(|r| r["name"].as_str().is_some_and(|s| s.contains('\u{0}') && s.contains('\u{1b}'))).count(),
        3
    );
    assert_eq!(rows.iter().filter(|r| r["modifiedon"] == "2026-02-30T25:61:00").count(), 3, "invalid date");
    let offers = dump(&c, &sim, &t, 293).await;
    assert_eq!(offers.iter().filter(|r| r["cenaprodej"] == "abc").count(), 2);
    let listed = sim.malformed();
    assert_eq!(listed.len(), 29);
    // deterministic by seed
    let mut b2 = BlueJetSim::builder().sizes(Sizes::SMALL).seed(11);
    for kind in MalformedKind::ALL {
        b2 = b2.malformed(PRODUCTS, kind, 3);
    }
    let again = b2.malformed(293, MalformedKind::WrongType, 2).start().await.unwrap();
    assert_eq!(again.malformed(), listed);
    // injectable at run time
    let r: Vec<bluejet_sim::MalformedRow> = c
        .post(format!("{}/admin/malformed", sim.url()))
        .json(&serde_json::json!({"no": 222, "kind": "empty-text", "count": 4}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r.len(), 4);
    assert!(r.iter().all(|m| m.column == "lastname"));
}

#[tokio::test]
async fn stats_log_and_reset_over_admin() {
    let sim = small(12).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    for off in ["0", "200", "400"] {
        get(&c, &sim, &t, &[("no", "217"), ("offset", off), ("limit", "200")]).await;
    }
    get(&c, &sim, &t, &[("no", "225"), ("limit", "7")]).await;
    get(&c, &sim, &t, &[("limit", "7")]).await;
    let st: Value = c.get(format!("{}/admin/stats", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(st["auth_calls"], 1);
    assert_eq!(st["data_calls"], 5);
    assert_eq!(st["requests"], 6);
    assert_eq!(st["rows_served"], 607);
    assert_eq!(st["rows_served_by_no"]["217"], 600);
    assert_eq!(st["data_calls_by_no"]["225"], 1);
    assert_eq!(st["bad_requests"], 1);
    assert_eq!(st["status_counts"]["200"], 5);
    let log: Vec<Value> = c.get(format!("{}/admin/log", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(log.len(), 6);
    assert_eq!(log[2]["query"]["offset"], "200");
    assert_eq!(log[2]["rows"], 200);
    assert!(log.iter().all(|e| !e.to_string().contains(&t)), "tokens are never logged");
    let tail: Vec<Value> =
        c.get(format!("{}/admin/log?since=4", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(tail.len(), 2);
    c.post(format!("{}/admin/reset-stats", sim.url())).send().await.unwrap();
    assert_eq!(sim.stats(), bluejet_sim::Stats::default());
    assert!(sim.log().is_empty());
    let info: Value = c.get(format!("{}/admin/info", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(info["evidences"][0]["count"], 2000);
}

#[tokio::test]
async fn same_seed_same_data_and_czech_dates() {
    let a = small(13).await;
    let b = small(13).await;
    let d = small(14).await;
    let c = Client::new();
    let (ta, tb, td) = (token(&c, &a).await, token(&c, &b).await, token(&c, &d).await);
    let pa = get(&c, &a, &ta, &[("no", "217"), ("limit", "50")]).await;
    let pb = get(&c, &b, &tb, &[("no", "217"), ("limit", "50")]).await;
    let pd = get(&c, &d, &td, &[("no", "217"), ("limit", "50")]).await;
    assert_eq!(pa.body, pb.body);
    assert_ne!(pa.body, pd.body);

    let cz = BlueJetSim::builder().sizes(Sizes::SMALL).date_format(DateFormat::Czech).start().await.unwrap();
    let t = token(&c, &cz).await;
    let p = get(&c, &cz, &t, &[("no", "323"), ("limit", "20")]).await;
    for v in p.col("modifiedon") {
        let s = v.as_str().unwrap();
        let (date, time) = s.split_once(' ').unwrap();
        assert_eq!(date.split('.').count(), 3, "{s}");
        assert_eq!(time.split(':').count(), 2, "{s}");
    }
    let m = p.col("modifiedon")[0].as_str().unwrap().to_string();
    let (n, rows) = count(&c, &cz, &t, "323", &format!("modifiedon|=|{m}"), Some("+modifiedon")).await;
    assert!(n >= 1);
    assert!(rows.iter().all(|r| r["modifiedon"] == m.as_str()));
}

#[tokio::test]
async fn products_look_like_a_czech_gastro_catalogue() {
    let sim = small(15).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let rows = dump(&c, &sim, &t, 217).await;
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let english = rows.iter().filter(|r| r["name"] != r["nazev"]).count();
    assert!((300..=700).contains(&english), "about a quarter English: {english}");
    assert!(names.iter().any(|n| n.contains("Konvektomat") || n.contains("Combi steamer")));
    assert!(
        rows.iter().filter(|r| r["nazev"].as_str().unwrap().chars().any(|c| "áčďéěíňóřšťúůýž".contains(c))).count()
            > 1000
    );
    for r in &rows {
        let ean = r["ean"].as_str().unwrap();
        assert_eq!(ean.len(), 13);
        let d: Vec<u32> = ean.chars().map(|c| c.to_digit(10).unwrap()).collect();
        let sum: u32 = d[..12].iter().enumerate().map(|(i, x)| x * if i % 2 == 0 { 1 } else { 3 }).sum();
        assert_eq!((10 - sum % 10) % 10, d[12], "EAN check digit {ean}");
        assert!(num(&r["price"]) > 0.0);
        assert!(r["modifiedon"].as_str().unwrap() >= r["createdon"].as_str().unwrap());
    }
    // one to four sentences, a few products without any
    let lens: Vec<usize> = rows.iter().map(|r| r["description"].as_str().unwrap().chars().count()).collect();
    assert!(lens.contains(&0) && lens.iter().any(|&l| l > 200) && lens.iter().all(|&l| l < 700), "{lens:?}");
}

#[tokio::test]
async fn issued_orders_name_existing_companies_and_id_fallbacks_name_their_record() {
    let sim = small(5).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    let companies: BTreeSet<String> = sim.keys(225).into_iter().collect();
    let mut orders = Vec::new();
    for offset in (0..250).step_by(100) {
        let p = get(&c, &sim, &t, &[("no", "356"), ("offset", &offset.to_string()), ("limit", "100")]).await;
        assert_eq!((p.status, p.total), (200, Some(250)), "{}", p.text);
        orders.extend(p.rows());
    }
    assert_eq!(orders.len(), 250);
    let columns = [
        "objednavkaid",
        "kodobjednavky",
        "nazev",
        "statuscode",
        "customerid",
        "firmaid",
        "datumpotvrzeni",
        "modifiedon",
        "createdon",
    ];
    let (mut confirmed, mut branch) = (0, 0);
    for o in &orders {
        assert_eq!(o.keys().map(String::as_str).collect::<BTreeSet<_>>(), columns.into_iter().collect(), "{o:?}");
        for company in ["customerid", "firmaid"] {
            assert!(companies.contains(o[company].as_str().unwrap()), "{company} of {o:?} is no company");
        }
        assert!(o["kodobjednavky"].as_str().unwrap().starts_with("OV"), "{o:?}");
        assert!(!o["nazev"].as_str().unwrap().is_empty() && !o["statuscode"].as_str().unwrap().is_empty());
        confirmed += usize::from(!o["datumpotvrzeni"].is_null());
        branch += usize::from(o["customerid"] != o["firmaid"]);
    }
    assert!((100..250).contains(&confirmed), "{confirmed} of 250 orders confirmed");
    assert!((5..100).contains(&branch), "{branch} of 250 orders go to another company");
    // Orders are read like every evidence: by key, by condition on a company, incrementally.
    let keys: Vec<String> = orders.iter().map(|o| o["objednavkaid"].as_str().unwrap().to_owned()).collect();
    assert_eq!(keys, sim.keys(356));
    let firm = orders[0]["firmaid"].as_str().unwrap();
    let p = get(&c, &sim, &t, &[("no", "356"), ("condition", &format!("firmaid|=|{firm}")), ("limit", "200")]).await;
    let expected = orders.iter().filter(|o| o["firmaid"] == firm).count();
    assert_eq!(p.total, Some(expected));
    let change = sim.change(&ChangeRequest::new(356).modify(7).insert(3).delete(2)).unwrap();
    let p =
        get(&c, &sim, &t, &[("no", "356"), ("condition", &format!("modifiedon|>=|{}", change.at)), ("limit", "200")])
            .await;
    assert_eq!(p.total, Some(10));
    assert_eq!(sim.count(356), Some(251));

    // The id fallbacks clients read when a key column is missing name the record itself.
    for (no, key, fallbacks) in
        [(225, "firmaid", &["customerid", "customeridsupl"][..]), (222, "contactid", &["contactidsupl"][..])]
    {
        let p = get(&c, &sim, &t, &[("no", &no.to_string()), ("limit", "200")]).await;
        for row in p.rows() {
            for f in fallbacks {
                assert_eq!(row[*f], row[key], "{no}: {f}");
            }
        }
    }
    let contacts = get(&c, &sim, &t, &[("no", "222"), ("limit", "200")]).await;
    assert!(contacts.rows().iter().all(|r| companies.contains(r["customerid"].as_str().unwrap())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_are_counted_with_the_most_ever_seen() {
    let sim = small(6).await;
    let c = Client::new();
    let t = token(&c, &sim).await;
    assert_eq!((sim.in_flight(), sim.stats().max_in_flight), (0, 1), "the authentication was one in flight");
    sim.reset_stats();
    assert_eq!(sim.stats().max_in_flight, 0);
    // Slow answers, so that six requests are answered at once.
    sim.set_faults(FaultSpec { latency_ms: 1_500, ..FaultSpec::default() });
    let calls: Vec<_> = (0..6)
        .map(|i| {
            let (c, url, t) = (c.clone(), sim.url(), t.clone());
            tokio::spawn(async move {
                c.get(format!("{url}/api/v1/data?no=217&offset={i}&limit=1")).header("X-Token", t).send().await
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while sim.in_flight() < 6 {
        assert!(Instant::now() < deadline, "only {} requests in flight", sim.in_flight());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().status(), 200);
    }
    assert_eq!((sim.in_flight(), sim.stats().max_in_flight), (0, 6));
    // A connection dropped without an answer leaves the count too.
    sim.set_faults(FaultSpec { reset: Some(Trigger::next(1)), ..FaultSpec::default() });
    let r = c.get(format!("{}/api/v1/data?no=217&limit=1", sim.url())).header("X-Token", &t).send().await;
    assert!(r.is_err());
    let deadline = Instant::now() + Duration::from_secs(30);
    while sim.in_flight() > 0 {
        assert!(Instant::now() < deadline, "a reset request stayed in flight");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stats: Value = c.get(format!("{}/admin/stats", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["max_in_flight"], 6);
}
