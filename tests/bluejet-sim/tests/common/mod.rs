#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::cmp::Ordering;

use bluejet_sim::RunningBlueJetSim;
use reqwest::Client;
use serde_json::{Map, Value};

pub type Row = Map<String, Value>;

pub async fn token(c: &Client, sim: &RunningBlueJetSim) -> String {
    let (id, hash) = sim.credentials();
    let body: Value = c
        .post(format!("{}/api/v1/users/authenticate", sim.url()))
        .json(&serde_json::json!({ "tokenID": id, "tokenHash": hash }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["succeeded"], true, "{body}");
    body["token"].as_str().unwrap().to_string()
}

pub struct Page {
    pub status: u16,
    pub total: Option<usize>,
    pub body: Value,
    pub text: String,
}

impl Page {
    pub fn rows(&self) -> Vec<Row> {
        self.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| (c["name"].as_str().unwrap().to_string(), c["value"].clone()))
                    .collect()
            })
            .collect()
    }
    pub fn col(&self, name: &str) -> Vec<Value> {
        self.rows().into_iter().map(|r| r.get(name).cloned().unwrap_or(Value::Null)).collect()
    }
    pub fn keys(&self, key: &str) -> Vec<String> {
        self.col(key).into_iter().map(|v| v.as_str().unwrap_or("").to_string()).collect()
    }
}

/// GET /api/v1/data with a raw query string (already encoded).
pub async fn get_raw(c: &Client, sim: &RunningBlueJetSim, token: &str, query: &str) -> Page {
    let resp = c.get(format!("{}/api/v1/data?{query}", sim.url())).header("X-Token", token).send().await.unwrap();
    let status = resp.status().as_u16();
    let total = resp.headers().get("x-total-count").map(|v| v.to_str().unwrap().parse().unwrap());
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Page { status, total, body, text }
}

/// GET /api/v1/data with parameters encoded by the client.
pub async fn get(c: &Client, sim: &RunningBlueJetSim, token: &str, params: &[(&str, &str)]) -> Page {
    let query: String = params.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&");
    get_raw(c, sim, token, &query).await
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// All rows of an evidence, by offset paging in key order.
pub async fn dump(c: &Client, sim: &RunningBlueJetSim, token: &str, no: u32) -> Vec<Row> {
    let mut all = Vec::new();
    loop {
        let offset = all.len().to_string();
        let p = get(c, sim, token, &[("no", &no.to_string()), ("offset", &offset), ("limit", "200")]).await;
        assert_eq!(p.status, 200, "{}", p.text);
        let rows = p.rows();
        if rows.is_empty() {
            break;
        }
        all.extend(rows);
    }
    all
}

/// SQL Server uniqueidentifier order, written independently of the crate: groups compared
/// 5th, 4th, 3rd, 2nd, 1st; inside the first three groups bytes from the last to the first.
pub fn sql_guid_cmp(a: &str, b: &str) -> Ordering {
    fn parts(s: &str) -> Vec<u8> {
        let groups: Vec<&str> = s.split('-').collect();
        let bytes = |g: &str| {
            (0..g.len()).step_by(2).map(|i| u8::from_str_radix(&g[i..i + 2], 16).unwrap()).collect::<Vec<u8>>()
        };
        let mut out = bytes(groups[4]);
        out.extend(bytes(groups[3]));
        for g in [groups[2], groups[1], groups[0]] {
            out.extend(bytes(g).into_iter().rev());
        }
        out
    }
    parts(a).cmp(&parts(b))
}
