//! One collection, one model.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use bluejet_sim::OpenAiSim;
use weir_embed::{
    ApiKey, Embedder, Error, FallbackChain, HashEmbedder, LocalModel, ModelId, OpenAiConfig, OpenAiEmbedder, Provider,
    Purpose, ensure_compatible,
};

#[test]
fn refuses_other_dimensions_models_and_hash_vectors() {
    let e5 = LocalModel::MultilingualE5Small.model_id();
    let openai = ModelId::new(Provider::OpenAi, "text-embedding-3-small", 1536);
    ensure_compatible(None, &e5).unwrap();
    ensure_compatible(Some(&e5), &e5).unwrap();

    // 384-dim model into a 1536-dim collection
    let err = ensure_compatible(Some(&openai), &e5).unwrap_err();
    assert!(matches!(err, Error::IncompatibleModel(_)));
    let msg = err.to_string();
    assert!(msg.contains("1536") && msg.contains("384") && msg.contains("rebuild"), "{msg}");

    // another model of equal dimension
    let minilm = LocalModel::AllMiniLmL6V2.model_id();
    let msg = ensure_compatible(Some(&e5), &minilm).unwrap_err().to_string();
    assert!(msg.contains("different models"), "{msg}");

    // the hash embedder never writes into a semantic collection, nor the other way round
    let hash = HashEmbedder::new(384);
    assert!(ensure_compatible(Some(&e5), hash.model()).is_err());
    assert!(ensure_compatible(Some(hash.model()), &e5).is_err());

    // the same model served elsewhere is fine (provider is not part of compatibility)
    let e5_http = ModelId::new(Provider::OpenAi, "multilingual-e5-small", 384);
    ensure_compatible(Some(&e5), &e5_http).unwrap();
}

#[tokio::test]
async fn fallback_must_be_the_same_model_and_takes_over() {
    let sim = OpenAiSim::builder().start().await.unwrap();
    let cfg = |base: String| {
        let mut c = OpenAiConfig::new("text-embedding-3-small", 1536);
        c.base_url = base;
        c.api_key = Some(ApiKey::new(sim.api_key()));
        c.max_retries = 1;
        c.initial_backoff = std::time::Duration::from_millis(10);
        c
    };
    // nothing listens on port 9 of localhost
    let dead: Arc<dyn Embedder> = Arc::new(OpenAiEmbedder::new(cfg("http://127.0.0.1:9/v1".into())).unwrap());
    let live: Arc<dyn Embedder> = Arc::new(OpenAiEmbedder::new(cfg(format!("{}/v1", sim.url()))).unwrap());

    let other: Arc<dyn Embedder> = Arc::new(HashEmbedder::new(1536));
    let err = FallbackChain::new(dead.clone()).with_fallback(other).unwrap_err();
    assert!(err.to_string().contains("same model"), "{err}");

    let chain = FallbackChain::new(dead).with_fallback(live).unwrap();
    let texts = vec!["konvektomat".to_owned()];
    let v = chain.embed(&texts, Purpose::Passage).await.unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(sim.stats().succeeded, 1);
    assert_eq!(chain.model().key(), "openai:text-embedding-3-small@1536");
}
