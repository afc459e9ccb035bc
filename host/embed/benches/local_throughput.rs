//! Local model throughput and the provider's overhead over raw ONNX Runtime inference.
//!
//! `cargo bench -p weir-embed --bench local_throughput [-- --texts N --model e5|minilm]`
//! (needs `cargo xtask setup`). For each thread count it times
//! 1. `LocalEmbedder::embed` end to end (prefixing, tokenizing, inference, pooling,
//!    normalising, the hop to the blocking pool), batch 32;
//! 2. the same batches through a bare `ort` session with the tokenizing done beforehand.
//!
//! The overhead is (1) / (2) - 1. Each measurement is the best of three rounds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use fastembed::{TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel};
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;
use weir_embed::{
    Embedder, LocalConfig, LocalEmbedder, LocalModel, ModelPaths, Purpose, onnx_environment, session_options,
};

const BATCH: usize = 32;
const ROUNDS: usize = 3;

fn corpus(n: usize) -> Vec<String> {
    let items = [
        "Nerezový hrnec s poklicí",
        "Kuřecí prsa chlazená",
        "Konvektomat elektrický 10 × GN 1/1",
        "Stainless steel stock pot with lid",
        "Combi steamer, electric, 400 V",
        "Mléko polotučné 1,5 %",
        "Papírové ubrousky dvouvrstvé, bílé",
        "Cutting board, polyethylene, HACCP colour coded",
    ];
    (0..n)
        .map(|i| {
            let base = items[i % items.len()];
            let tail = "vhodné pro gastronomii, dodání do 48 hodin, ".repeat(i % 4);
            format!("{base} {i}, {tail}kód {i:05}")
        })
        .collect()
}

fn best<F: FnMut()>(mut f: F) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned());
    let n: usize = arg("--texts").and_then(|v| v.parse().ok()).unwrap_or(256);
    let model = match arg("--model").as_deref() {
        Some("minilm") => LocalModel::AllMiniLmL6V2,
        _ => LocalModel::MultilingualE5Small,
    };
    let paths = ModelPaths::discover();
    if !paths.is_installed(model) {
        eprintln!("SKIPPED: {} not installed; run `cargo xtask setup`", model.name());
        return;
    }
    let texts = corpus(n);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    println!("model {} | {n} texts | batch {BATCH} | best of {ROUNDS}", model.name());
    println!("threads | provider texts/s | raw ORT texts/s | overhead");
    for threads in [1usize, 2] {
        let mut cfg = LocalConfig::new(model);
        cfg.threads = threads;
        cfg.batch_size = BATCH;
        cfg.verify_checksums = false;
        let load = Instant::now();
        let embedder = LocalEmbedder::new(cfg).unwrap();
        let load = load.elapsed();
        rt.block_on(embedder.embed(&texts[..BATCH], Purpose::Passage)).unwrap();
        let provider = best(|| {
            rt.block_on(embedder.embed(&texts, Purpose::Passage)).unwrap();
        });
        drop(embedder);

        // raw: the same batches, tokenized beforehand, through a bare session
        let env = onnx_environment(&paths).unwrap();
        let dir = paths.model_dir(model);
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        let files = TokenizerFiles {
            tokenizer_file: read("tokenizer.json"),
            config_file: read("config.json"),
            special_tokens_map_file: read("special_tokens_map.json"),
            tokenizer_config_file: read("tokenizer_config.json"),
        };
        let fe = TextEmbedding::try_new_from_user_defined(
            UserDefinedEmbeddingModel::new(read("model.onnx"), files),
            session_options(env.clone(), 1),
        )
        .unwrap();
        let prefix = model.model_id().passage_prefix;
        let batches: Vec<(Vec<i64>, Vec<i64>, usize)> = texts
            .chunks(BATCH)
            .map(|chunk| {
                let sent: Vec<String> = chunk.iter().map(|t| format!("{prefix}{t}")).collect();
                let enc = fe.tokenizer.encode_batch(sent, true).unwrap();
                let len = enc.iter().map(|e| e.get_ids().len()).max().unwrap();
                let ids = enc.iter().flat_map(|e| e.get_ids().iter().map(|&x| i64::from(x))).collect();
                let mask = enc.iter().flat_map(|e| e.get_attention_mask().iter().map(|&x| i64::from(x))).collect();
                (ids, mask, len)
            })
            .collect();
        let mut session: Session = Session::builder(&env)
            .unwrap()
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .unwrap()
            .with_intra_threads(threads)
            .unwrap()
            .with_config_entry("session.intra_op.allow_spinning", "0")
            .unwrap()
            .with_config_entry("session.inter_op.allow_spinning", "0")
            .unwrap()
            .commit_from_file(dir.join("model.onnx"))
            .unwrap();
        let needs_types = session.inputs().iter().any(|i| i.name() == "token_type_ids");
        let mut run_all = || {
            for (ids, mask, len) in &batches {
                let rows = ids.len() / len;
                let shape = [rows, *len];
                let mut inputs = ort::inputs![
                    "input_ids" => Tensor::from_array((shape, ids.clone())).unwrap(),
                    "attention_mask" => Tensor::from_array((shape, mask.clone())).unwrap(),
                ];
                if needs_types {
                    inputs.push((
                        "token_type_ids".into(),
                        Tensor::from_array((shape, vec![0i64; ids.len()])).unwrap().into(),
                    ));
                }
                let out = session.run(inputs).unwrap();
                std::hint::black_box(&out);
            }
        };
        run_all();
        let raw = best(run_all);
        let per_s = |d: Duration| n as f64 / d.as_secs_f64();
        println!(
            "{threads} | {:.0} | {:.0} | {:+.1}% (model load {:.1} s)",
            per_s(provider),
            per_s(raw),
            (provider.as_secs_f64() / raw.as_secs_f64() - 1.0) * 100.0,
            load.as_secs_f64()
        );
    }
}
