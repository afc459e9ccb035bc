//! `weir plugin inspect`, driven as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use weir_harness::fixture;

fn weir(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_weir")).args(args).output().expect("run weir")
}

#[test]
fn inspect_prints_what_a_plugin_is_and_asks_for() {
    let path = fixture("misbehave-source");
    let out = weir(&["plugin", "inspect", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in
        ["misbehave-source", "source", "weir:plugin@0.2.0", "http://127.0.0.1:*", "api_key", "64 MiB", "2000 ms"]
    {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let sha = sha256_hex(&std::fs::read(&path).unwrap());
    assert!(text.contains(&sha), "the sha256 printed is not the file's");
}

#[test]
fn inspect_json_is_machine_readable() {
    let path = fixture("future-wit-source");
    let out = weir(&["plugin", "inspect", "--json", path.to_str().unwrap()]);
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["wit"], "0.3.0");
    assert_eq!(value["exported_wit"], "0.3.0");
    assert_eq!(value["wit_hosted"], false);
    assert_eq!(value["kind"], "source");
}

#[test]
fn inspect_shows_the_wit_version_a_plugin_speaks_and_whether_this_weir_hosts_it() {
    let old = weir(&["plugin", "inspect", fixture("v0-1-echo-source").to_str().unwrap()]);
    assert!(old.status.success(), "{}", String::from_utf8_lossy(&old.stderr));
    let text = String::from_utf8(old.stdout).unwrap();
    let line = text.lines().find(|l| l.starts_with("wit ")).unwrap();
    assert!(line.contains("weir:plugin@0.1.0") && !line.contains("not hosted"), "{line}");
    let future = weir(&["plugin", "inspect", fixture("future-wit-source").to_str().unwrap()]);
    let text = String::from_utf8(future.stdout).unwrap();
    let line = text.lines().find(|l| l.starts_with("wit ")).unwrap();
    assert!(line.contains("weir:plugin@0.3.0") && line.contains("not hosted") && line.contains("0.2.0"), "{line}");
}

#[test]
fn inspect_refuses_what_is_not_a_plugin() {
    let dir = std::env::temp_dir().join(format!("weir-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bogus = dir.join("bogus.wasm");
    std::fs::write(&bogus, b"definitely not wasm").unwrap();
    let out = weir(&["plugin", "inspect", bogus.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a WebAssembly component"), "{err}");
    let out = weir(&["plugin", "inspect", dir.join("missing.wasm").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A tiny sha256 so this test checks the CLI against an independent implementation.
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64) * 8;
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([chunk[4 * i], chunk[4 * i + 1], chunk[4 * i + 2], chunk[4 * i + 3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7].wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), v[0], v[1], v[2], v[3].wrapping_add(t1), v[4], v[5], v[6]];
        }
        for i in 0..8 {
            h[i] = h[i].wrapping_add(v[i]);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[test]
fn list_shows_every_plugin_of_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("echo-source"), dir.path().join("echo-source.wasm")).unwrap();
    std::fs::copy(fixture("echo-validator"), dir.path().join("echo-validator.wasm")).unwrap();
    std::fs::write(dir.path().join("broken.wasm"), b"not wasm").unwrap();
    let out = weir(&["plugin", "list", "--json", "--dir", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The bundled plugins come first, then the directory's own files.
    let files: Vec<&serde_json::Value> = rows.as_array().unwrap().iter().filter(|r| r["from"] != "embedded").collect();
    assert_eq!(files.len(), 3);
    let names: Vec<&str> = files.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["echo-source", "echo-validator"]);
    let broken = files.iter().find(|r| r["file"].as_str().unwrap().ends_with("broken.wasm")).unwrap();
    assert!(broken["error"].as_str().unwrap().contains("broken.wasm"), "{broken}");
}
