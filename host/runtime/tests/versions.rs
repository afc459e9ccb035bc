//! Plugins of both hosted WIT versions in one runtime: fixtures built against
//! `weir:plugin@0.1.0` with raw bindings and never rebuilt keep their behaviour beside SDK
//! plugins of 0.2.0, and what 0.1.0 cannot carry (partitions, sparse vectors, hybrid and
//! filter-only queries) is answered as 0.1.0 can, or refused with an error naming the plugin and
//! its version, never silently dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use weir_core::{
    CollectionSpec, Distance, Fusion, Partition, PluginError, Point, Query, Scope, SparseVector, SplitScope,
};
use weir_harness::fixture;
use weir_runtime::{Error, Grants, Runtime, RuntimeConfig, SinkInstance, SourceInstance};

fn runtime() -> (Runtime, tempfile::TempDir) {
    let cache = tempfile::tempdir().unwrap();
    let rt =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    (rt, cache)
}

async fn source(rt: &Runtime, name: &str, config: &str) -> SourceInstance {
    rt.load(fixture(name)).await.unwrap().source(&Grants::none(), config).await.unwrap()
}

async fn sink(rt: &Runtime, name: &str) -> SinkInstance {
    rt.load(fixture(name)).await.unwrap().sink(&Grants::none(), "{}").await.unwrap()
}

/// Every key of a partition, page by page, from its starting state.
async fn read_all(s: &mut SourceInstance, part: &Partition, scope: &Scope) -> Vec<String> {
    let mut keys = Vec::new();
    let mut state = part.state.clone();
    loop {
        let page = s.read("items", scope, state.as_deref(), 3).await.unwrap();
        keys.extend(page.records.into_iter().map(|r| r.key));
        if page.done {
            return keys;
        }
        state = Some(page.state);
    }
}

fn spec(name: &str, lexical: Option<&str>) -> CollectionSpec {
    CollectionSpec {
        name: name.into(),
        dimension: 3,
        distance: Distance::Cosine,
        model: "hash@3".into(),
        lexical: lexical.map(str::to_owned),
        payload_indexes: vec![],
    }
}

fn sparse(indices: &[u32]) -> SparseVector {
    SparseVector { indices: indices.to_vec(), values: vec![1.0; indices.len()] }
}

/// Five points; point `i` has the vector `[1, i, 0.5]`, the term `100 + i` and shop `i % 2`.
fn points(with_sparse: bool) -> Vec<Point> {
    (0..5u32)
        .map(|i| Point {
            id: format!("00000000-0000-0000-0000-00000000000{i}"),
            vector: vec![1.0, i as f32, 0.5],
            sparse: with_sparse.then(|| sparse(&[100 + i])),
            payload: serde_json::json!({ "n": i, "shop": i % 2 }).to_string(),
        })
        .collect()
}

/// The config error a 0.1.0 plugin gets for what its version cannot carry.
fn assert_needs_0_2_0(err: &Error, plugin: &str, what: &str) {
    match err {
        Error::Plugin { plugin: p, error: PluginError::Config(m), .. } => {
            assert_eq!(p, plugin);
            assert!(
                m.contains(&format!("{plugin} speaks weir:plugin@0.1.0"))
                    && m.contains(what)
                    && m.contains("rebuild it against 0.2.0"),
                "{m}"
            );
        }
        other => panic!("expected a config error, got {other}"),
    }
}

#[tokio::test]
async fn sources_of_both_versions_read_side_by_side_and_only_0_2_0_splits() {
    let (rt, _cache) = runtime();
    let mut old = source(&rt, "v0-1-echo-source", r#"{"records": 10}"#).await;
    let mut new = source(&rt, "echo-source", r#"{"records": 10, "size": 100}"#).await;
    assert_eq!((old.plugin().wit_version(), new.plugin().wit_version()), ("0.1.0", "0.2.0"));
    let all: Vec<String> = (0..10).map(|n| format!("item-{n}")).collect();

    // 0.1.0 has no partitions: the host answers the whole stream, from no state, without asking.
    for scope in [SplitScope::Read(Scope::Full), SplitScope::Keys] {
        assert_eq!(old.partitions("items", &scope, 4).await.unwrap(), vec![Partition::whole()]);
    }
    assert_eq!(read_all(&mut old, &Partition::whole(), &Scope::Full).await, all);
    assert_eq!(old.count("items").await.unwrap(), Some(10));
    let keys = old.list_keys("items", None, 100).await.unwrap();
    assert_eq!((keys.keys, keys.done), (all.clone(), true));

    // 0.2.0 splits into at most `max` partitions that together hold every record once.
    let parts = new.partitions("items", &SplitScope::Read(Scope::Full), 4).await.unwrap();
    assert_eq!(parts.len(), 4);
    assert!(parts.iter().all(|p| p.state.is_some() && !p.label.is_empty()), "{parts:?}");
    let mut read = Vec::new();
    for part in &parts {
        read.extend(read_all(&mut new, part, &Scope::Full).await);
    }
    assert_eq!(read, all);
    let parts = new.partitions("items", &SplitScope::Keys, 2).await.unwrap();
    let mut listed = Vec::new();
    for part in &parts {
        let page = new.list_keys("items", part.state.as_deref(), 100).await.unwrap();
        assert!(page.done);
        listed.extend(page.keys);
    }
    assert_eq!(listed, all);
    // `max` of 0 means one partition, never none.
    assert_eq!(new.partitions("items", &SplitScope::Keys, 0).await.unwrap().len(), 1);
    let err = new.partitions("nope", &SplitScope::Keys, 2).await.unwrap_err();
    assert!(matches!(err.plugin_error(), Some(PluginError::Config(_))), "{err}");
}

#[tokio::test]
async fn a_0_1_0_sink_keeps_working_for_dense_points_and_queries() {
    let (rt, _cache) = runtime();
    let mut old = sink(&rt, "v0-1-memory-sink").await;
    let mut new = sink(&rt, "memory-sink").await;
    assert_eq!(old.plugin().wit_version(), "0.1.0");
    for s in [&mut old, &mut new] {
        let info = s.prepare(&spec("c", None)).await.unwrap();
        assert_eq!((info.exists, info.dimension, info.lexical), (true, Some(3), false));
        s.upsert("c", &points(false)).await.unwrap();
        s.upsert("c", &points(false)).await.unwrap();
        assert_eq!(s.count("c").await.unwrap(), 5);
        let hits = s.query("c", &[1.0, 4.0, 0.5], 1, None).await.unwrap();
        assert_eq!(hits[0].id, points(false)[4].id);
        let filtered = Query::dense(vec![1.0, 4.0, 0.5], 5).with_filter(Some(r#"{"shop": 0}"#.into()));
        let hits = s.search("c", &filtered).await.unwrap();
        assert_eq!(hits[0].id, points(false)[4].id);
        assert_eq!(hits.len(), 3, "points 0, 2 and 4 are in shop 0");
        s.switch_alias("live", "c").await.unwrap();
        assert_eq!(s.describe("live").await.unwrap().points, 5);
    }
}

#[tokio::test]
async fn what_0_1_0_cannot_carry_is_refused_naming_the_plugin_and_nothing_is_written() {
    let (rt, _cache) = runtime();
    let mut old = sink(&rt, "v0-1-memory-sink").await;
    let err = old.prepare(&spec("h", Some("bm25:cs-en@1"))).await.unwrap_err();
    assert_needs_0_2_0(&err, "v0-1-memory-sink", "lexical vectors");
    assert!(!old.describe("h").await.unwrap().exists, "no dense-only collection was made instead");

    old.prepare(&spec("c", None)).await.unwrap();
    let mut batch = points(false);
    batch[3].sparse = Some(sparse(&[7]));
    let err = old.upsert("c", &batch).await.unwrap_err();
    assert_needs_0_2_0(&err, "v0-1-memory-sink", "sparse vectors");
    assert_eq!(old.count("c").await.unwrap(), 0, "no point of the batch was written without its sparse vector");

    let lexical = Query::sparse(sparse(&[101]), 3);
    let hybrid = Query::hybrid(vec![1.0, 1.0, 0.5], sparse(&[101]), Fusion::Rrf, 3);
    for q in [lexical, hybrid] {
        assert_needs_0_2_0(&old.search("c", &q).await.unwrap_err(), "v0-1-memory-sink", "sparse or hybrid queries");
    }
    let err = old.search("c", &Query::filter_only(r#"{"shop": 1}"#, 3)).await.unwrap_err();
    assert_needs_0_2_0(&err, "v0-1-memory-sink", "filter-only queries");
    // The refusals were the host's: the instance is the same and still answers.
    assert_eq!(old.count("c").await.unwrap(), 0);
}

#[tokio::test]
async fn a_0_2_0_sink_takes_sparse_vectors_and_answers_sparse_hybrid_and_filter_only_queries() {
    let (rt, _cache) = runtime();
    let mut new = sink(&rt, "memory-sink").await;
    let info = new.prepare(&spec("h", Some("bm25:cs-en@1"))).await.unwrap();
    assert!(info.lexical);
    new.upsert("h", &points(true)).await.unwrap();
    assert!(new.describe("h").await.unwrap().lexical);

    let hits = new.search("h", &Query::sparse(sparse(&[102]), 5)).await.unwrap();
    assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), [points(true)[2].id.as_str()]);
    // The dense vector favours point 4, the term point 1: fused, both come first.
    for fusion in [Fusion::Rrf, Fusion::Dbsf] {
        let hits = new.search("h", &Query::hybrid(vec![1.0, 4.0, 0.5], sparse(&[101]), fusion, 2)).await.unwrap();
        let mut top: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        top.sort_unstable();
        assert_eq!(top, [points(true)[1].id.as_str(), points(true)[4].id.as_str()], "{fusion:?}");
    }
    let hits = new.search("h", &Query::filter_only(r#"{"shop": 1}"#, 10)).await.unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.score == 0.0));

    // The host keeps the contract's promise of sorted, unique indices before any call.
    let mut bad = points(true);
    bad[0].sparse = Some(SparseVector { indices: vec![5, 2], values: vec![1.0, 1.0] });
    let err = new.upsert("h", &bad).await.unwrap_err();
    assert!(matches!(&err, Error::Host { reason, .. } if reason.contains("5 then 2")), "{err}");
    let unsorted = Query::sparse(SparseVector { indices: vec![3, 3], values: vec![1.0, 1.0] }, 2);
    assert!(matches!(new.search("h", &unsorted).await.unwrap_err(), Error::Host { .. }));
}
