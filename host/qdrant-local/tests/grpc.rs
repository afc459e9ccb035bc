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
