//! The embedding cache over a redb database, in front of the embeddings simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use bluejet_sim::OpenAiSim;
use weir_embed::{
    ApiKey, CachedEmbedder, Embedder, EmbeddingCache, HashEmbedder, OpenAiConfig, OpenAiEmbedder, Purpose,
};

fn texts() -> Vec<String> {
    ["kuřecí prsa", "nerezový hrnec 20 l", "konvektomat", "kuřecí prsa"].iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn second_embedding_makes_no_provider_calls_and_survives_reopen() {
    let sim = OpenAiSim::builder().start().await.unwrap();
    let mut cfg = OpenAiConfig::new("text-embedding-3-small", 1536);
    cfg.base_url = format!("{}/v1", sim.url());
    cfg.api_key = Some(ApiKey::new(sim.api_key()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");

    let first = {
        let db = Arc::new(redb::Database::create(&path).unwrap());
        let cached = CachedEmbedder::new(OpenAiEmbedder::new(cfg.clone()).unwrap(), EmbeddingCache::new(db));
        let first = cached.embed(&texts(), Purpose::Passage).await.unwrap();
        let s = sim.stats();
        // the duplicate text is sent once
        assert_eq!((s.requests, s.inputs), (1, 3));
        assert_eq!(first[0], first[3]);

        let again = cached.embed(&texts(), Purpose::Passage).await.unwrap();
        assert_eq!(again, first);
        assert_eq!(sim.stats().requests, 1, "a cached text went to the provider");
        let stats = cached.cache().stats().unwrap();
        assert_eq!(stats.entries, 3);
        assert!(stats.bytes >= 3 * 1536 * 4);
        assert_eq!((stats.hits, stats.misses), (4, 4));
        assert_eq!(cached.cache().lookups(), (4, 4), "the counters alone, as a run reads them per batch");
        // What one call sent: nothing now, and into an empty cache each distinct text once.
        let (vectors, sent) = cached.embed_sending(&texts(), Purpose::Passage).await.unwrap();
        assert_eq!((vectors, sent), (first.clone(), vec![]));
        let fresh = CachedEmbedder::new(
            HashEmbedder::new(8),
            EmbeddingCache::new(Arc::new(redb::Database::create(dir.path().join("other.redb")).unwrap())),
        );
        assert_eq!(fresh.embed_sending(&texts(), Purpose::Passage).await.unwrap().1, vec![0, 1, 2]);
        assert!((stats.hit_rate() - 0.5).abs() < 1e-9);

        // the purpose is part of the exact text for prefixed models only; a different
        // model never hits another model's entries
        let mut other = cfg.clone();
        other.model = "text-embedding-3-large".into();
        other.dimension = 3072;
        let other = CachedEmbedder::new(OpenAiEmbedder::new(other).unwrap(), cached.cache().clone());
        other.embed(&texts()[..1], Purpose::Passage).await.unwrap();
        assert_eq!(sim.stats().requests, 2);
        first
    };

    // a new process: same file, nothing sent
    let db = Arc::new(redb::Database::create(&path).unwrap());
    let cached = CachedEmbedder::new(OpenAiEmbedder::new(cfg).unwrap(), EmbeddingCache::new(db));
    let reopened = cached.embed(&texts(), Purpose::Passage).await.unwrap();
    assert_eq!(reopened, first);
    assert_eq!(sim.stats().requests, 2);
    assert_eq!(cached.cache().stats().unwrap().hits, 4);
}

#[tokio::test]
async fn prefixes_are_part_of_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(redb::Database::create(dir.path().join("c.redb")).unwrap());
    let hash = HashEmbedder::new(64);
    let model = hash.model().clone().with_prefixes("query: ", "passage: ");
    let cache = EmbeddingCache::new(db);
    let q = EmbeddingCache::key(&model, &model.text_for(Purpose::Query, "x"));
    let p = EmbeddingCache::key(&model, &model.text_for(Purpose::Passage, "x"));
    assert_ne!(q, p);
    let v = vec![0.5f32; 64];
    cache.put_many(&model, &[("query: x", &v)]).unwrap();
    assert_eq!(cache.get_many(&model, &["query: x", "passage: x"]).unwrap(), vec![Some(v), None]);
    // a vector of the wrong length is refused
    assert!(cache.put_many(&model, &[("y", &[1.0f32; 3][..])]).is_err());
}
