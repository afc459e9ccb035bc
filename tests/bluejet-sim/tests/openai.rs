//! Drives the OpenAI-compatible embeddings simulator over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use bluejet_sim::openai::count_tokens;
use bluejet_sim::{FaultSpec, OpenAiSim, RunningOpenAiSim, Trigger};
use reqwest::Client;
use serde_json::{Value, json};

const MODEL: &str = "text-embedding-3-small";

async fn post(c: &Client, sim: &RunningOpenAiSim, body: &Value) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = c.post(format!("{}/v1/embeddings", sim.url())).bearer_auth(sim.api_key()).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap())
}

fn vector(v: &Value) -> Vec<f32> {
    v["embedding"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect()
}

fn cos(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn unbase64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .take_while(|&&c| c != b'=')
            .fold((0u32, 0), |(acc, k), &c| ((acc << 6) | u32::from(val(c)), k + 1));
        let (mut bits, k) = n;
        bits <<= 6 * (4 - k);
        for i in 0..(k * 6 / 8) {
            out.push((bits >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[tokio::test]
async fn embeddings_usage_dims_base64_and_models() {
    let sim = OpenAiSim::builder().start().await.unwrap();
    let c = Client::new();
    let texts = ["Nerezový hrnec 20 l Stalgast", "Stainless steel stock pot 20 l", "Kuřecí prsní řízky 2,5 kg"];
    let (status, _, body) = post(&c, &sim, &json!({"model": MODEL, "input": texts})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "list");
    assert_eq!(body["model"], MODEL);
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[2]["index"], 2);
    let v0 = vector(&data[0]);
    assert_eq!(v0.len(), 1536);
    assert!((cos(&v0, &v0) - 1.0).abs() < 1e-4, "unit length");
    let want: usize = texts.iter().map(|t| count_tokens(t)).sum();
    assert_eq!(body["usage"]["prompt_tokens"], want);
    assert_eq!(body["usage"]["total_tokens"], want);

    // a single string, fewer dimensions, deterministic
    let (_, _, one) = post(&c, &sim, &json!({"model": MODEL, "input": texts[0], "dimensions": 256})).await;
    let short = vector(&one["data"][0]);
    assert_eq!(short.len(), 256);
    let (_, _, again) = post(&c, &sim, &json!({"model": MODEL, "input": [texts[0]], "dimensions": 256})).await;
    assert_eq!(vector(&again["data"][0]), short);
    // base64 is the same floats
    let (_, _, b64) =
        post(&c, &sim, &json!({"model": MODEL, "input": texts[0], "dimensions": 256, "encoding_format": "base64"}))
            .await;
    let bytes = unbase64(b64["data"][0]["embedding"].as_str().unwrap());
    let floats: Vec<f32> = bytes.chunks(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    assert_eq!(floats, short);
    // another model gives other vectors
    let (_, _, large) = post(&c, &sim, &json!({"model": "text-embedding-3-large", "input": texts[0]})).await;
    assert_eq!(vector(&large["data"][0]).len(), 3072);

    let models: Value = c
        .get(format!("{}/v1/models", sim.url()))
        .bearer_auth(sim.api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = models["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&MODEL) && ids.contains(&"text-embedding-ada-002"));

    let st = sim.stats();
    assert_eq!((st.requests, st.succeeded, st.inputs), (5, 5, 7));
    assert_eq!(st.model_lists, 1);
}

#[tokio::test]
async fn similar_texts_land_close() {
    let sim = OpenAiSim::builder().start().await.unwrap();
    let c = Client::new();
    let input = [
        "Nerezový hrnec 20 l",
        "nerezovy hrnec 50 l s poklicí",
        "Kuřecí prsní řízky chlazené",
        "kuřecí prsa bez kosti",
        "Dezinfekce povrchů 5 l",
    ];
    let (_, _, body) = post(&c, &sim, &json!({"model": MODEL, "input": input})).await;
    let v: Vec<Vec<f32>> = body["data"].as_array().unwrap().iter().map(vector).collect();
    assert!(cos(&v[0], &v[1]) > 0.4, "pots: {}", cos(&v[0], &v[1]));
    assert!(cos(&v[2], &v[3]) > 0.3, "chicken: {}", cos(&v[2], &v[3]));
    assert!(cos(&v[0], &v[1]) > cos(&v[0], &v[2]) + 0.2);
    assert!(cos(&v[2], &v[3]) > cos(&v[2], &v[4]) + 0.2);
    assert_eq!(sim.embed(MODEL, input[0], None).unwrap(), v[0]);
}

fn error(body: &Value) -> (&str, &str, Value, Value) {
    let e = &body["error"];
    (e["message"].as_str().unwrap(), e["type"].as_str().unwrap(), e["param"].clone(), e["code"].clone())
}

#[tokio::test]
async fn limits_and_errors_have_openai_bodies() {
    let sim = OpenAiSim::builder().start().await.unwrap();
    let c = Client::new();
    // too many inputs
    let many: Vec<String> = (0..2049).map(|i| format!("text {i}")).collect();
    let (s, _, b) = post(&c, &sim, &json!({"model": MODEL, "input": many})).await;
    assert_eq!(s, 400);
    let (msg, kind, param, code) = error(&b);
    assert!(msg.contains("maximum length 2048") && msg.contains("2049"), "{msg}");
    assert_eq!((kind, param, code), ("invalid_request_error", json!("input"), json!("array_above_max_length")));
    let ok: Vec<String> = (0..2048).map(|i| format!("text {i}")).collect();
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": ok})).await.0, 200);
    // one input over 8,192 tokens
    let long = "slovo ".repeat(8_193);
    let (s, _, b) = post(&c, &sim, &json!({"model": MODEL, "input": [long]})).await;
    assert_eq!(s, 400);
    let (msg, kind, _, _) = error(&b);
    assert!(
        msg.starts_with("This model's maximum context length is 8192 tokens, however you requested 16386 tokens"),
        "{msg}"
    );
    assert_eq!(kind, "invalid_request_error");
    let at_limit = "slovo ".repeat(4_096);
    assert_eq!(count_tokens(&at_limit), 8_192);
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": at_limit})).await.0, 200);
    // over 300,000 tokens in one request
    let chunk = "abcd ".repeat(8_000);
    let inputs: Vec<&str> = (0..38).map(|_| chunk.as_str()).collect();
    let (s, _, b) = post(&c, &sim, &json!({"model": MODEL, "input": inputs})).await;
    assert_eq!(s, 400);
    let (msg, kind, _, code) = error(&b);
    assert_eq!(msg, "Requested 304000 tokens, max 300000 tokens per request");
    assert_eq!((kind, code), ("max_tokens_per_request", json!("max_tokens_per_request")));
    // token arrays, empty input, bad JSON, unknown model, bad dims, bad format
    let (s, _, b) = post(&c, &sim, &json!({"model": MODEL, "input": [[1, 2, 3]]})).await;
    assert_eq!(s, 400);
    assert!(error(&b).0.contains("token arrays"));
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": ""})).await.0, 400);
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": []})).await.0, 400);
    assert_eq!(post(&c, &sim, &json!({"input": "x"})).await.0, 400);
    let (s, _, b) = post(&c, &sim, &json!({"model": "nope", "input": "x"})).await;
    assert_eq!((s, error(&b).3), (404, json!("model_not_found")));
    assert_eq!(post(&c, &sim, &json!({"model": "text-embedding-ada-002", "input": "x", "dimensions": 8})).await.0, 400);
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": "x", "dimensions": 5000})).await.0, 400);
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": "x", "encoding_format": "int8"})).await.0, 400);
    let r = c
        .post(format!("{}/v1/embeddings", sim.url()))
        .bearer_auth(sim.api_key())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // keys
    let r = c
        .post(format!("{}/v1/embeddings", sim.url()))
        .bearer_auth("sk-wrong-key-123")
        .json(&json!({"model": MODEL, "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let b: Value = r.json().await.unwrap();
    assert_eq!(error(&b).3, json!("invalid_api_key"));
    assert!(!error(&b).0.contains("sk-wrong-key-123"), "the key is masked");
    let r = c
        .post(format!("{}/v1/embeddings", sim.url()))
        .json(&json!({"model": MODEL, "input": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let st = sim.stats();
    assert_eq!(st.unauthorized, 2);
    assert_eq!(st.bad_requests, 12);
    assert_eq!(st.succeeded, 2);
}

#[tokio::test]
async fn rate_limits_by_requests_and_tokens() {
    let sim = OpenAiSim::builder().rpm(3).start().await.unwrap();
    let c = Client::new();
    for _ in 0..3 {
        assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": "a"})).await.0, 200);
    }
    let (s, h, b) = post(&c, &sim, &json!({"model": MODEL, "input": "a"})).await;
    assert_eq!(s, 429);
    let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(h["x-ratelimit-limit-requests"], "3");
    let (msg, kind, _, code) = error(&b);
    assert!(msg.contains("requests per min (RPM): Limit 3"), "{msg}");
    assert_eq!((kind, code), ("requests", json!("rate_limit_exceeded")));

    let sim = OpenAiSim::builder().tpm(100).start().await.unwrap();
    let text = "abcd ".repeat(40); // 40 tokens
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": text})).await.0, 200);
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": text})).await.0, 200);
    let (s, h, b) = post(&c, &sim, &json!({"model": MODEL, "input": text})).await;
    assert_eq!(s, 429);
    assert!(h.contains_key("retry-after"));
    assert_eq!(error(&b).1, "tokens");
    let st = sim.stats();
    assert_eq!((st.http429, st.tokens, st.succeeded), (1, 80, 2));
    // limits can be lifted at run time
    c.post(format!("{}/admin/limits", sim.url())).json(&json!({"rpm": 0, "tpm": 0})).send().await.unwrap();
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": text})).await.0, 200);
}

#[tokio::test]
async fn faults_latency_5xx_429_reset_and_stats() {
    let sim = OpenAiSim::builder().faults(FaultSpec { latency_ms: 300, ..FaultSpec::default() }).start().await.unwrap();
    let c = Client::new();
    let t0 = Instant::now();
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": "a"})).await.0, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    sim.set_faults(FaultSpec { server_error: Some(Trigger::next(2).status(500)), ..FaultSpec::default() });
    let (s, _, b) = post(&c, &sim, &json!({"model": MODEL, "input": "a"})).await;
    assert_eq!((s, error(&b).1), (500, "server_error"));
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": "a"})).await.0, 500);
    assert_eq!(post(&c, &sim, &json!({"model": MODEL, "input": "a"})).await.0, 200);
    c.post(format!("{}/admin/faults", sim.url()))
        .json(&json!({"rate_limit": {"next": 1, "retry_after_secs": 7}}))
        .send()
        .await
        .unwrap();
    let (s, h, _) = post(&c, &sim, &json!({"model": MODEL, "input": "a"})).await;
    assert_eq!((s, h["retry-after"].to_str().unwrap()), (429, "7"));
    sim.set_faults(FaultSpec { reset: Some(Trigger::next(1)), ..FaultSpec::default() });
    let r = c
        .post(format!("{}/v1/embeddings", sim.url()))
        .bearer_auth(sim.api_key())
        .json(&json!({"model": MODEL, "input": "a"}))
        .send()
        .await;
    assert!(r.is_err());
    let st: Value = c.get(format!("{}/admin/stats", sim.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(st["requests"], 6);
    assert_eq!(st["http5xx"], 2);
    assert_eq!(st["http429"], 1);
    assert_eq!(st["resets"], 1);
    assert_eq!(st["succeeded"], 2);
    assert_eq!(st["delayed"], 1);
    c.post(format!("{}/admin/reset-stats", sim.url())).send().await.unwrap();
    assert_eq!(sim.stats(), bluejet_sim::OpenAiStats::default());
}
