//! The OpenAI-compatible provider against the embeddings simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use bluejet_sim::faults::{FaultSpec, Trigger};
use bluejet_sim::{OpenAiSim, RunningOpenAiSim};
use weir_embed::{ApiKey, Embedder, Error, OpenAiConfig, OpenAiEmbedder, Purpose, estimate_tokens};

const MODEL: &str = "text-embedding-3-small";
const DIM: u32 = 1536;

async fn sim() -> RunningOpenAiSim {
    OpenAiSim::builder().start().await.unwrap()
}

fn config(sim: &RunningOpenAiSim) -> OpenAiConfig {
    let mut cfg = OpenAiConfig::new(MODEL, DIM);
    cfg.base_url = format!("{}/v1", sim.url().trim_end_matches('/'));
    cfg.api_key = Some(ApiKey::new(sim.api_key()));
    cfg.initial_backoff = Duration::from_millis(20);
    cfg.max_backoff = Duration::from_secs(2);
    cfg.requests_per_minute = 60_000;
    cfg.tokens_per_minute = 100_000_000;
    cfg.usd_per_million_tokens = 0.02;
    cfg
}

fn texts(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("produkt {i}: nerezový hrnec {i} litrů, stainless steel pot")).collect()
}

fn assert_exact(sim: &RunningOpenAiSim, texts: &[String], vectors: &[Vec<f32>]) {
    assert_eq!(texts.len(), vectors.len());
    for (t, v) in texts.iter().zip(vectors) {
        let want = sim.embed(MODEL, t, None).unwrap();
        assert_eq!(want.len(), v.len());
        let worst = want.iter().zip(v).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-6, "vector for {t:?} differs by {worst}");
    }
}

#[tokio::test]
async fn batches_respect_input_and_token_limits() {
    let sim = sim().await;
    let mut cfg = config(&sim);
    cfg.max_batch_inputs = 100;
    cfg.max_batch_tokens = 2_000;
    cfg.max_input_tokens = 500;
    let e = OpenAiEmbedder::new(cfg).unwrap();
    let input = texts(450);
    let out = e.embed(&input, Purpose::Passage).await.unwrap();
    assert_exact(&sim, &input, &out);

    let per_text = estimate_tokens(&input[0]);
    let per_request = (2_000 / per_text).min(100) as usize;
    let s = sim.stats();
    assert_eq!(s.bad_requests, 0);
    assert_eq!(s.inputs, 450);
    assert!(
        s.requests >= 450u64.div_ceil(per_request as u64),
        "{} requests for 450 inputs of {per_text} tokens",
        s.requests
    );
    assert!(s.requests <= 450u64.div_ceil(per_request as u64) + 1);

    // the 2,048-input cap of the real API
    sim.reset_stats();
    let e = OpenAiEmbedder::new(config(&sim)).unwrap();
    let many: Vec<String> = (0..2_100).map(|i| format!("x{i}")).collect();
    let out = e.embed(&many, Purpose::Passage).await.unwrap();
    assert_eq!(out.len(), 2_100);
    let s = sim.stats();
    assert_eq!((s.requests, s.bad_requests, s.inputs), (2, 0, 2_100));
}

#[tokio::test]
async fn survives_429_bursts_5xx_and_resets_with_exact_vectors() {
    let sim = sim().await;
    sim.set_faults(FaultSpec {
        rate_limit: Some(Trigger { next: 3, retry_after_secs: 1, ..Trigger::default() }),
        server_error: Some(Trigger { status: 503, rate: 0.2, ..Trigger::default() }),
        reset: Some(Trigger::next(1)),
        ..FaultSpec::default()
    });
    let mut cfg = config(&sim);
    cfg.max_batch_inputs = 10;
    cfg.max_concurrency = 3;
    cfg.max_retries = 10;
    let e = OpenAiEmbedder::new(cfg).unwrap();
    let input = texts(120);
    let out = e.embed(&input, Purpose::Passage).await.unwrap();
    assert_exact(&sim, &input, &out);
    let s = sim.stats();
    let mine = e.stats();
    assert_eq!(s.http429, 3);
    assert!(s.http5xx > 0, "the 5xx fault never fired");
    assert_eq!(mine.rate_limited, 3);
    assert_eq!(mine.server_errors, s.http5xx + s.resets);
    assert_eq!(mine.requests, 12);
    assert_eq!(s.succeeded, 12);
}

#[tokio::test]
async fn honours_retry_after() {
    let sim = sim().await;
    sim.set_faults(FaultSpec {
        rate_limit: Some(Trigger { next: 1, retry_after_secs: 2, ..Trigger::default() }),
        ..FaultSpec::default()
    });
    let e = OpenAiEmbedder::new(config(&sim)).unwrap();
    let start = Instant::now();
    e.embed(&texts(3), Purpose::Query).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(2), "{:?}", start.elapsed());
}

#[tokio::test]
async fn holds_the_requests_per_minute_budget() {
    let sim = sim().await;
    let mut cfg = config(&sim);
    cfg.requests_per_minute = 240; // 4 a second, bursts of 4
    cfg.max_batch_inputs = 1;
    cfg.max_concurrency = 8;
    let e = OpenAiEmbedder::new(cfg).unwrap();
    let start = Instant::now();
    e.embed(&texts(12), Purpose::Passage).await.unwrap();
    let took = start.elapsed();
    assert_eq!(sim.stats().requests, 12);
    // 4 at once, then 8 more at 4/s
    assert!(took >= Duration::from_millis(1_900), "12 requests in {took:?}");
}

#[tokio::test]
async fn holds_the_tokens_per_minute_budget() {
    let sim = sim().await;
    let mut cfg = config(&sim);
    let input = texts(20);
    let per_text = estimate_tokens(&input[0]);
    cfg.max_batch_inputs = 1;
    cfg.max_batch_tokens = per_text * 2;
    cfg.max_input_tokens = per_text;
    cfg.tokens_per_minute = per_text * 60 * 5; // 5 texts a second
    let e = OpenAiEmbedder::new(cfg).unwrap();
    let start = Instant::now();
    e.embed(&input, Purpose::Passage).await.unwrap();
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(2_500), "20 texts in {took:?}");
}

#[tokio::test]
async fn bad_key_is_a_clear_auth_error() {
    let sim = sim().await;
    let mut cfg = config(&sim);
    cfg.api_key = Some(ApiKey::new("sk-wrong-secret"));
    let e = OpenAiEmbedder::new(cfg).unwrap();
    let err = e.embed(&texts(2), Purpose::Query).await.unwrap_err();
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("rejected the API key"), "{msg}");
    assert!(!msg.contains("sk-wrong-secret"));
    assert_eq!(sim.stats().unauthorized, 1, "401 must not be retried");
}

#[tokio::test]
async fn usage_totals_and_cost() {
    let sim = sim().await;
    let mut cfg = config(&sim);
    cfg.max_batch_inputs = 7;
    let e = OpenAiEmbedder::new(cfg).unwrap();
    let input = texts(50);
    e.embed(&input, Purpose::Passage).await.unwrap();
    let s = e.stats();
    let served = sim.stats();
    assert_eq!(s.tokens, served.tokens);
    assert_eq!(s.inputs, 50);
    assert_eq!(s.requests, 8);
    assert!(s.estimated_tokens >= s.tokens, "the estimate must be conservative");
    assert!((s.cost_usd - s.tokens as f64 * 0.02 / 1e6).abs() < 1e-12);
}

#[tokio::test]
async fn over_long_inputs_are_cut_not_refused() {
    let sim = sim().await;
    let e = OpenAiEmbedder::new(config(&sim)).unwrap();
    let long = "nerezový hrnec ".repeat(3_000); // ~50 kB
    let out = e.embed(&[long, "short".to_owned()], Purpose::Passage).await.unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(e.stats().truncated_inputs, 1);
    assert_eq!(sim.stats().bad_requests, 0);
}

#[tokio::test]
async fn wrong_dimension_is_refused() {
    let sim = sim().await;
    let mut cfg = config(&sim);
    cfg.dimension = 384;
    let e = OpenAiEmbedder::new(cfg).unwrap();
    let err = e.embed(&texts(1), Purpose::Query).await.unwrap_err();
    assert!(matches!(err, Error::Protocol(_)), "{err:?}");
}
