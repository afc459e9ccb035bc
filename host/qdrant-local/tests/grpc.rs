//! The official Qdrant Rust client, over gRPC, against qdrant-local; the same data read over REST.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::{Api, cosine, ids, vector};
use qdrant_client::qdrant::{
    Condition, CountPointsBuilder, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder, DeletePointsBuilder,
    Distance, FieldType, Filter, Memory, PointId, PointStruct, PointsIdsList, QueryPointsBuilder, ScrollPointsBuilder,
    UpsertPointsBuilder, Value as PbValue, VectorParamsBuilder, point_id::PointIdOptions,
};
use qdrant_client::{Payload, Qdrant};
use qdrant_local::{LOOPBACK, QdrantLocal};
use serde_json::json;

const DIM: usize = 8;
const N: u64 = 600;

fn num(id: &Option<PointId>) -> u64 {
    match id.as_ref().and_then(|p| p.point_id_options.clone()) {
        Some(PointIdOptions::Num(n)) => n,
        other => panic!("unexpected id {other:?}"),
    }
}

#[tokio::test]
async fn official_client_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let server = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let client = Qdrant::from_url(&server.grpc_url()).build().unwrap();
    let api = Api::new(&server);

    let health = client.health_check().await.unwrap();
    assert!(!health.version.is_empty());

    client
        .create_collection(
            CreateCollectionBuilder::new("g").vectors_config(VectorParamsBuilder::new(DIM as u64, Distance::Cosine)),
        )
        .await
        .unwrap();
    assert!(client.collection_exists("g").await.unwrap());
    let dup = client
        .create_collection(
            CreateCollectionBuilder::new("g").vectors_config(VectorParamsBuilder::new(DIM as u64, Distance::Cosine)),
        )
        .await;
    assert!(dup.is_err(), "creating an existing collection fails");

    // Where the vectors live: on disk unless asked (`memory`), the same answer over REST.
    client
        .create_collection(
            CreateCollectionBuilder::new("in_memory")
                .vectors_config(VectorParamsBuilder::new(DIM as u64, Distance::Cosine).memory(Memory::Cached)),
        )
        .await
        .unwrap();
    for (name, memory) in [("g", Memory::Cold), ("in_memory", Memory::Cached)] {
        let info = client.collection_info(name).await.unwrap().result.unwrap();
        let params = info.config.unwrap().params.unwrap().vectors_config.unwrap().config.unwrap();
        let qdrant_client::qdrant::vectors_config::Config::Params(params) = params else { panic!("{params:?}") };
        assert_eq!(params.memory, Some(memory as i32), "{name}");
        let rest = api.ok("GET", "/collections/{collection_name}", &format!("/collections/{name}"), None).await;
        assert_eq!(rest["config"]["params"]["vectors"]["memory"], json!(memory.as_str_name().to_lowercase()), "{name}");
    }
    let pinned = client
        .create_collection(
            CreateCollectionBuilder::new("pinned")
                .vectors_config(VectorParamsBuilder::new(DIM as u64, Distance::Cosine).memory(Memory::Pinned)),
        )
        .await;
    assert!(pinned.unwrap_err().to_string().contains("not supported"));

    client
        .create_field_index(CreateFieldIndexCollectionBuilder::new("g", "color", FieldType::Keyword).wait(true))
        .await
        .unwrap();

    let points: Vec<PointStruct> = (0..N)
        .map(|i| {
            let color = if i.is_multiple_of(3) { "red" } else { "blue" };
            let payload =
                Payload::from(HashMap::from([("color", PbValue::from(color)), ("n", PbValue::from(i as i64))]));
            PointStruct::new(i, vector(i, DIM), payload)
        })
        .collect();
    for chunk in points.chunks(200) {
        client.upsert_points(UpsertPointsBuilder::new("g", chunk.to_vec()).wait(true)).await.unwrap();
    }

    // Query with a filter: exact, so it must equal brute force, and REST must agree.
    let q = vector(777_777, DIM);
    let res = client
        .query(
            QueryPointsBuilder::new("g")
                .query(q.clone())
                .filter(Filter::must([Condition::matches("color", "red".to_string())]))
                .with_payload(true)
                .limit(5),
        )
        .await
        .unwrap();
    let got: Vec<u64> = res.result.iter().map(|p| num(&p.id)).collect();
    let mut want: Vec<(f32, u64)> =
        (0..N).filter(|i| i.is_multiple_of(3)).map(|i| (cosine(&q, &vector(i, DIM)), i)).collect();
    want.sort_by(|a, b| b.0.total_cmp(&a.0));
    let want: Vec<u64> = want.into_iter().take(5).map(|(_, i)| i).collect();
    assert_eq!(got, want);
    assert_eq!(res.result[0].payload.get("color").and_then(|v| v.as_str().cloned()), Some("red".to_string()));
    let rest = api
        .query(
            "g",
            json!({ "query": q, "limit": 5, "filter": { "must": [{ "key": "color", "match": { "value": "red" } }] } }),
        )
        .await;
    assert_eq!(ids(&rest), got);

    // Scroll.
    let page = client.scroll(ScrollPointsBuilder::new("g").limit(50).offset(100u64)).await.unwrap();
    let scrolled: Vec<u64> = page.result.iter().map(|p| num(&p.id)).collect();
    assert_eq!(scrolled, (100..150).collect::<Vec<_>>());
    assert_eq!(num(&page.next_page_offset), 150);

    // Count, exact.
    let all = client.count(CountPointsBuilder::new("g").exact(true)).await.unwrap();
    assert_eq!(all.result.unwrap().count, N);
    let red = client
        .count(
            CountPointsBuilder::new("g")
                .filter(Filter::must([Condition::matches("color", "red".to_string())]))
                .exact(true),
        )
        .await
        .unwrap();
    assert_eq!(red.result.unwrap().count, N / 3);
    assert_eq!(api.count("g", Some(json!({ "must": [{ "key": "color", "match": { "value": "red" } }] }))).await, N / 3);

    // Delete by ids and by filter.
    client
        .delete_points(DeletePointsBuilder::new("g").points(PointsIdsList { ids: vec![1.into(), 2.into()] }).wait(true))
        .await
        .unwrap();
    client
        .delete_points(
            DeletePointsBuilder::new("g")
                .points(Filter::must([Condition::matches("color", "red".to_string())]))
                .wait(true),
        )
        .await
        .unwrap();
    let left = client.count(CountPointsBuilder::new("g").exact(true)).await.unwrap();
    assert_eq!(left.result.unwrap().count, N - N / 3 - 2);
    assert_eq!(api.count("g", None).await, N - N / 3 - 2);

    // Errors come back as gRPC statuses.
    let wrong = client
        .upsert_points(UpsertPointsBuilder::new("g", vec![PointStruct::new(1, vec![1.0, 2.0], Payload::new())]))
        .await;
    assert!(wrong.is_err());
    let missing = client.count(CountPointsBuilder::new("nope")).await;
    assert!(missing.is_err());

    client.delete_collection("g").await.unwrap();
    assert!(!client.collection_exists("g").await.unwrap());
    drop(client);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_api_key_guards_rest_and_grpc_alike() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = qdrant_local::Options::new(dir.path(), LOOPBACK);
    opts.api_key = Some("k-3f9a-secret".into());
    let server = QdrantLocal::start_with(opts).await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/collections", server.rest_url());

    // REST: no key, a wrong key, the key in either header.
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["status"]["error"].as_str().unwrap().contains("API key"), "{body}");
    assert_eq!(http.get(&url).header("api-key", "wrong").send().await.unwrap().status(), 401);
    assert_eq!(http.get(&url).header("api-key", "k-3f9a-secret").send().await.unwrap().status(), 200);
    assert_eq!(http.get(&url).bearer_auth("k-3f9a-secret").send().await.unwrap().status(), 200);
    // Health checks stay open for probes.
    let health = format!("{}/healthz", server.rest_url());
    assert_eq!(http.get(&health).send().await.unwrap().status(), 200);

    // gRPC: the official client without the key is refused, with it served.
    let anonymous = Qdrant::from_url(&server.grpc_url()).build().unwrap();
    let err = anonymous.list_collections().await.unwrap_err();
    assert!(err.to_string().contains("API key"), "{err}");
    let client = Qdrant::from_url(&server.grpc_url()).api_key("k-3f9a-secret").build().unwrap();
    assert!(client.list_collections().await.unwrap().collections.is_empty());
    server.shutdown().await.unwrap();
}

/// Named dense and sparse vectors and the Query API with prefetches and fusions, through the
/// official client; the answers must equal REST's (whose rankings `tests/hybrid.rs` checks
/// against brute force).
#[tokio::test]
async fn official_client_hybrid_collection_and_fusion_queries() {
    use qdrant_client::qdrant::{
        Fusion, GetPointsBuilder, Modifier, NamedVectors, PrefetchQueryBuilder, Query, Rrf, SparseVectorParamsBuilder,
        SparseVectorsConfigBuilder, Vector, VectorInput, VectorsConfigBuilder, vectors_config, vectors_output,
    };
    let dir = tempfile::tempdir().unwrap();
    let server = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let client = Qdrant::from_url(&server.grpc_url()).build().unwrap();
    let api = Api::new(&server);

    let mut dense = VectorsConfigBuilder::default();
    dense.add_named_vector_params("dense", VectorParamsBuilder::new(DIM as u64, Distance::Cosine));
    let mut sparse = SparseVectorsConfigBuilder::default();
    sparse.add_named_vector_params("bm25", SparseVectorParamsBuilder::default().modifier(Modifier::Idf));
    client
        .create_collection(CreateCollectionBuilder::new("h").vectors_config(dense).sparse_vectors_config(sparse))
        .await
        .unwrap();
    let info = client.collection_info("h").await.unwrap().result.unwrap();
    let params = info.config.unwrap().params.unwrap();
    let Some(vectors_config::Config::ParamsMap(map)) = params.vectors_config.unwrap().config else { panic!() };
    assert_eq!(map.map["dense"].size, DIM as u64);
    assert_eq!(params.sparse_vectors_config.unwrap().map["bm25"].modifier, Some(Modifier::Idf as i32));
    let rest = api.ok("GET", "/collections/{collection_name}", "/collections/h", None).await;
    assert_eq!(rest["config"]["params"]["sparse_vectors"], json!({ "bm25": { "modifier": "idf" } }));

    // Term `t` of point `i`: `i % 5`, `10 + i % 3`, and 99 in all but every seventh point.
    let terms = |i: u64| -> (Vec<u32>, Vec<f32>) {
        let mut t = vec![(i % 5) as u32, 10 + (i % 3) as u32];
        if !i.is_multiple_of(7) {
            t.push(99);
        }
        let values = t.iter().enumerate().map(|(k, _)| 1.0 + k as f32 * 0.1 + i as f32 * 0.001).collect();
        (t, values)
    };
    let points: Vec<PointStruct> = (0..N)
        .map(|i| {
            let (indices, values) = terms(i);
            let vectors = NamedVectors::default()
                .add_vector("dense", Vector::new_dense(vector(i, DIM)))
                .add_vector("bm25", Vector::new_sparse(indices, values));
            PointStruct::new(i, vectors, Payload::from(HashMap::from([("n", PbValue::from(i as i64))])))
        })
        .collect();
    for chunk in points.chunks(200) {
        client.upsert_points(UpsertPointsBuilder::new("h", chunk.to_vec()).wait(true)).await.unwrap();
    }

    // Named vectors come back by name, the sparse one as sparse.
    let got = client.get_points(GetPointsBuilder::new("h", vec![8.into()]).with_vectors(true)).await.unwrap();
    let Some(vectors_output::VectorsOptions::Vectors(named)) =
        got.result[0].vectors.clone().and_then(|v| v.vectors_options)
    else {
        panic!("{:?}", got.result[0])
    };
    let bm25 = named.vectors["bm25"].clone().into_vector();
    let qdrant_client::qdrant::vector_output::Vector::Sparse(sp) = bm25 else { panic!("{bm25:?}") };
    let (mut want_indices, _) = terms(8);
    want_indices.sort_unstable();
    assert_eq!(sp.indices, want_indices);

    let q = vector(31_337, DIM);
    let (sq_indices, sq_values) = (vec![99u32, 3, 11], vec![1.0f32, 0.8, 0.5]);
    let prefetches = || {
        [
            PrefetchQueryBuilder::default().query(Query::new_nearest(q.clone())).using("dense").limit(20u64),
            PrefetchQueryBuilder::default()
                .query(Query::new_nearest(VectorInput::new_sparse(sq_indices.clone(), sq_values.clone())))
                .using("bm25")
                .limit(20u64),
        ]
    };
    let rest_prefetch = json!([
        { "query": q, "using": "dense", "limit": 20 },
        { "query": { "indices": sq_indices, "values": sq_values }, "using": "bm25", "limit": 20 }
    ]);
    for (grpc_query, rest_query) in [
        (Query::new_fusion(Fusion::Rrf), json!({ "fusion": "rrf" })),
        (Query::new_fusion(Fusion::Dbsf), json!({ "fusion": "dbsf" })),
        (Query::new_rrf(Rrf { k: Some(10), weights: vec![] }), json!({ "rrf": { "k": 10 } })),
    ] {
        let [a, b] = prefetches();
        let res = client
            .query(
                QueryPointsBuilder::new("h")
                    .add_prefetch(a)
                    .add_prefetch(b)
                    .query(grpc_query)
                    .filter(Filter::must([Condition::range(
                        "n",
                        qdrant_client::qdrant::Range { gte: Some(10.0), ..Default::default() },
                    )]))
                    .limit(6u64)
                    .offset(2u64)
                    .with_payload(true),
            )
            .await
            .unwrap();
        let got: Vec<(u64, f32)> = res.result.iter().map(|p| (num(&p.id), p.score)).collect();
        let rest = api
            .query(
                "h",
                json!({ "prefetch": rest_prefetch, "query": rest_query, "limit": 6, "offset": 2,
                        "filter": { "must": [{ "key": "n", "range": { "gte": 10 } }] } }),
            )
            .await;
        let want: Vec<(u64, f32)> =
            rest.iter().map(|p| (p["id"].as_u64().unwrap(), p["score"].as_f64().unwrap() as f32)).collect();
        // Points tied on a fused score may differ at the cut between two requests; the scores
        // may not, nor the score of any point both answers hold.
        let scores = |v: &[(u64, f32)]| v.iter().map(|p| p.1).collect::<Vec<_>>();
        assert_eq!(scores(&got), scores(&want), "{rest_query}: {got:?} vs {want:?}");
        for (id, score) in &got {
            assert!(want.iter().all(|w| w.0 != *id || w.1 == *score), "{rest_query}: {got:?} vs {want:?}");
        }
        assert_eq!(got.len(), 6);
        assert!(res.result.iter().all(|p| p.payload["n"].as_integer().unwrap() >= 10));
    }

    // Errors: an unknown vector name and a bad sparse vector are InvalidArgument.
    let err = client.query(QueryPointsBuilder::new("h").query(Query::new_nearest(q.clone())).using("nope")).await;
    let err = err.unwrap_err().to_string();
    assert!(err.contains("Not existing vector name error: nope"), "{err}");
    let bad = PointStruct::new(
        1,
        NamedVectors::default().add_vector("bm25", Vector::new_sparse(vec![1u32, 1], vec![1.0f32, 2.0])),
        Payload::new(),
    );
    let err = client.upsert_points(UpsertPointsBuilder::new("h", vec![bad])).await.unwrap_err().to_string();
    assert!(err.contains("unique"), "{err}");
    let err =
        client.query(QueryPointsBuilder::new("h").query(Query::new_fusion(Fusion::Rrf))).await.unwrap_err().to_string();
    assert!(err.contains("prefetch"), "{err}");
    drop(client);
    server.shutdown().await.unwrap();
}

/// Quantization over gRPC: the default scalar int8, a scalar setting as asked, the same over
/// REST; product quantization refused; search params passed on and checked.
#[tokio::test]
async fn official_client_quantization_settings_and_search_params() {
    use qdrant_client::qdrant::{
        CompressionRatio, ProductQuantization, QuantizationSearchParams, QuantizationType, ScalarQuantization,
        SearchParams, quantization_config::Quantization,
    };
    let dir = tempfile::tempdir().unwrap();
    let server = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let client = Qdrant::from_url(&server.grpc_url()).build().unwrap();
    let api = Api::new(&server);
    let create = |name: &str| {
        CreateCollectionBuilder::new(name).vectors_config(VectorParamsBuilder::new(DIM as u64, Distance::Cosine))
    };

    client.create_collection(create("default")).await.unwrap();
    let scalar = ScalarQuantization {
        r#type: QuantizationType::Int8 as i32,
        quantile: Some(0.95),
        memory: Some(Memory::Cached as i32),
        ..Default::default()
    };
    client.create_collection(create("scalar").quantization_config(scalar)).await.unwrap();
    for (name, quantile, in_memory) in [("default", 0.99f64, None), ("scalar", 0.95, Some(true))] {
        let info = client.collection_info(name).await.unwrap().result.unwrap();
        let Some(Quantization::Scalar(q)) = info.config.unwrap().quantization_config.unwrap().quantization else {
            panic!("{name}: not scalar")
        };
        assert_eq!(q.r#type, QuantizationType::Int8 as i32, "{name}");
        assert!((f64::from(q.quantile.unwrap()) - quantile).abs() < 1e-6, "{name}: {q:?}");
        #[allow(deprecated)]
        let always_ram = q.always_ram;
        assert_eq!(always_ram, in_memory, "{name}");
        let rest = api.ok("GET", "/collections/{collection_name}", &format!("/collections/{name}"), None).await;
        assert_eq!(rest["config"]["quantization_config"]["scalar"]["quantile"], json!(quantile), "{name}");
    }
    let product = ProductQuantization { compression: CompressionRatio::X16 as i32, ..Default::default() };
    let refused = client.create_collection(create("product").quantization_config(product)).await.unwrap_err();
    assert!(refused.to_string().contains("`product` quantization is not supported"), "{refused}");
    assert!(!client.collection_exists("product").await.unwrap());

    let points: Vec<PointStruct> = (0..N).map(|i| PointStruct::new(i, vector(i, DIM), Payload::new())).collect();
    client.upsert_points(UpsertPointsBuilder::new("default", points).wait(true)).await.unwrap();
    let q = vector(424_242, DIM);
    let mut want: Vec<(f32, u64)> = (0..N).map(|i| (cosine(&q, &vector(i, DIM)), i)).collect();
    want.sort_by(|a, b| b.0.total_cmp(&a.0));
    let want: Vec<u64> = want.into_iter().take(10).map(|(_, i)| i).collect();
    let exact = SearchParams { exact: Some(true), ..Default::default() };
    let res = client.query(QueryPointsBuilder::new("default").query(q.clone()).params(exact).limit(10)).await.unwrap();
    assert_eq!(res.result.iter().map(|p| num(&p.id)).collect::<Vec<_>>(), want);
    let bad = SearchParams {
        quantization: Some(QuantizationSearchParams { oversampling: Some(0.5), ..Default::default() }),
        ..Default::default()
    };
    let err = client.query(QueryPointsBuilder::new("default").query(q).params(bad)).await.unwrap_err();
    assert!(err.to_string().contains("oversampling: value 0.5 invalid"), "{err}");
    drop(client);
    server.shutdown().await.unwrap();
}
