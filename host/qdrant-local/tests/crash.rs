//! The `qdrant-local` process killed with SIGKILL right after acknowledged writes: restarted,
//! it has every one of them (the journal), and the engine's own log has been pruned.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{Process, point, vector};
use serde_json::json;

/// Wide vectors fill the engine's 8 MiB log segments quickly.
const DIM: usize = 768;

fn start(dir: &Path, durable: bool) -> Process {
    Process::start(dir, if durable { &[] } else { &["--no-durable"] })
}

fn closed_log_segments(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("collections/c/shard/wal"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("closed-"))
        .count()
}

async fn survives_kill(durable: bool) {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), durable);
    s.api.create("c", DIM, "Dot").await;
    for chunk in (0..9_000u64).collect::<Vec<_>>().chunks(500) {
        s.api.upsert("c", chunk.iter().map(|&i| point(i, DIM)).collect()).await;
    }
    // A second life: killed and restarted, then the last writes, then killed again at once,
    // long before the next flush (once a second): only the journal has them.
    let log = s.kill();
    assert!(!log.contains("panicked"), "{log}");
    let mut replayed = false;
    for round in 0..3u64 {
        let s = start(dir.path(), durable);
        assert_eq!(s.api.count("c", None).await, 9_000 - round, "round {round}");
        let late = 100_000 + round;
        s.api
            .upsert("c", vec![json!({ "id": late, "vector": vector(late, DIM), "payload": { "round": round } })])
            .await;
        s.api
            .ok(
                "POST",
                "/collections/{collection_name}/points/payload",
                "/collections/c/points/payload?wait=true",
                Some(json!({ "payload": { "late": round }, "points": [7] })),
            )
            .await;
        s.api
            .ok(
                "POST",
                "/collections/{collection_name}/points/delete",
                "/collections/c/points/delete?wait=true",
                Some(json!({ "points": [round, late] })),
            )
            .await;
        s.kill();

        let s = start(dir.path(), durable);
        assert_eq!(s.api.count("c", None).await, 9_000 - round - 1, "durable {durable}, round {round}");
        let got = s
            .api
            .ok(
                "POST",
                "/collections/{collection_name}/points",
                "/collections/c/points",
                Some(json!({ "ids": [7, round, late, 8_999], "with_payload": true, "with_vector": true })),
            )
            .await;
        let got = got.as_array().unwrap();
        assert_eq!(got.len(), 2, "only 7 and 8999 are left: {got:?}");
        assert_eq!(got[0]["payload"]["late"], round);
        let stored: Vec<f32> = serde_json::from_value(got[1]["vector"].clone()).unwrap();
        assert!(stored == vector(8_999, DIM), "point 8999 has another vector after the restart");
        let log = s.kill();
        replayed |= log.contains("replaying updates not yet flushed");
        // Pruned when it opened: at most the newest closed segment is left.
        assert!(closed_log_segments(dir.path()) <= 1, "{:?}", std::fs::read_dir(dir.path()).unwrap().count());
        if replayed {
            break;
        }
    }
    assert!(replayed, "no kill landed before a flush in three tries");
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_durable() {
    survives_kill(true).await;
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_not_durable() {
    survives_kill(false).await;
}
