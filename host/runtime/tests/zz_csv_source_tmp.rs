//! Throwaway end-to-end check of csv-source in the real sandbox (not committed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use weir_core::Scope;
use weir_runtime::{Grants, Runtime, RuntimeConfig};

#[tokio::test]
async fn csv_source_reads_a_granted_directory() {
    if std::env::var("CSV_SOURCE_WASM").is_err() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let rt =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    let plugin = rt.load(std::env::var("CSV_SOURCE_WASM").unwrap()).await.unwrap();
    println!("manifest dirs: {:?}", plugin.manifest().permissions.dirs);
    let config = std::fs::read_to_string(format!("{}/config.json", std::env::var("CSV_EXAMPLES").unwrap())).unwrap();
    let err = plugin.source(&Grants::none(), &config).await.err().expect("refused");
    println!("not granted: {err}");
    let grants = Grants::none().dir("exports", std::env::var("CSV_EXAMPLES").unwrap());
    let mut s = plugin.source(&grants, &config).await.unwrap();
    println!("streams: {:?}", s.streams().await.unwrap());
    assert_eq!(s.count("products").await.unwrap(), Some(20));
    assert_eq!(s.count("products-jsonl").await.unwrap(), Some(20));
    let mut keys = Vec::new();
    let mut state: Option<String> = None;
    loop {
        let page = s.read("products", &Scope::Full, state.as_deref(), 7).await.unwrap();
        keys.extend(page.records.iter().map(|r| r.key.clone()));
        if keys.len() == 7 {
            println!("first record: {:?}", page.records[4]);
        }
        if page.done {
            break;
        }
        state = Some(page.state);
    }
    assert_eq!(keys.len(), 20);
    let page = s.read("products-jsonl", &Scope::Since("2026-01-22T11:20:00Z".into()), None, 100).await.unwrap();
    assert_eq!(page.records.len(), 6);
    assert!(page.done);
    let k = s.list_keys("products", None, 1000).await.unwrap();
    assert_eq!(k.keys.len(), 20);
    let bad = r#"{"streams": {"x": {"file": "nowhere.csv", "key": "code"}}}"#;
    let mut s2 = plugin.source(&grants, bad).await.unwrap();
    let err = s2.read("x", &Scope::Full, None, 10).await.unwrap_err();
    println!("missing file: {err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    let bad = r#"{"dir": "/elsewhere", "streams": {"x": {"file": "products.csv", "key": "code"}}}"#;
    let mut s3 = plugin.source(&grants, bad).await.unwrap();
    println!("ungranted dir: {}", s3.read("x", &Scope::Full, None, 10).await.unwrap_err());
}
