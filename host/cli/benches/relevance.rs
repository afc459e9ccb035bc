//! Relevance benchmark: how well `weir search` ranks the simulator's catalogue for the graded
//! queries of `tests/bluejet-sim/RELEVANCE.md`, per query kind and search mode.
//!
//! ```text
//! cargo xtask bench relevance                     # the local model, every mode
//! cargo xtask bench relevance --embedder hash     # a quick smoke run (meaningless dense side)
//! cargo xtask bench relevance --modes dense,sparse --verbose
//! cargo xtask bench relevance --embedder hash --modes sparse,sparse+off   # with and without
//!                                                 # the learned term translations
//! cargo xtask bench relevance --modes hybrid-rrf,hybrid-rrf^off   # with and without the
//!                                                 # catalogue's diacritics put back in queries
//! ```
//!
//! It starts the BlueJet simulator with the benchmark catalogue (`BENCH_PRODUCTS` products,
//! `BENCH_SEED`), judges the queries over that catalogue, syncs it with `weir run --mode full`
//! into the embedded store, then asks `weir search --json` for the top 10 of every query in
//! every mode: `dense`, `sparse`, `hybrid-rrf`, `hybrid-dbsf`. Each search is its own `weir`
//! process, as a user's is (the model loads each time; the per-query time is reported).
//! nDCG@10, recall@10 and MRR per query kind go to stdout as Markdown and to
//! `target/bench/relevance.json`; `--verbose` adds a row per query with the grades of its hits.
//!
//! The pipeline is `config/weir.toml`'s products pipeline: it learns term translations from
//! the `name`/`nazev` pairs (`translate`; `--no-translate` leaves the setting out, and the
//! learner is `WEIR_TRANSLATE_LEARNER`'s, as for any run). A mode with `+off` (`sparse+off`)
//! searches the same collection with `WEIR_SEARCH_TRANSLATE=off`: without the learned table;
//! `+add`, `+idf` and `+fuse` with that use of it (`weir_engine::search::translate::Use`).
//! When the first full sync learned a table, a second one writes the records it expands
//! (`weir_engine::search::expand`) before the searches; `--one-pass` searches after the
//! first, and `WEIR_EXPAND=on|W` (inherited by the runs) turns the expansion on (off by default).
//! A mode ending in `~off` or `~W` (`sparse+add~off`, `sparse~0.8`) searches with
//! `WEIR_SEARCH_TYPOS` set so: without typo corrections, or with them at weight W. A mode
//! ending in `^off` (`hybrid-rrf^off`, after any `~`) embeds each query as typed, without the
//! catalogue's diacritics put back (`WEIR_SEARCH_ACCENTS=off`). A mode ending in `@off` or
//! `@all` (after any `^`) leaves the fused ranking as it is, or puts its first hits that cover
//! every query term before the rest (`WEIR_SEARCH_COVER`; by default they are ordered by the
//! number of terms each covers). A `%off` before any `@` (`hybrid-rrf%off`) tiers the fused
//! ranking's own hits only, without those of the search for the terms' translations
//! (`WEIR_SEARCH_REACH=off`); a `#off` before that (`hybrid-rrf#off`) keeps each tier in
//! ranked order, without the hits holding the query's words as typed first
//! (`WEIR_SEARCH_EXACT=off`; `#surface` counts a word only as typed, not through its
//! translations; `#translated` counts it either way alike, without those holding it as typed
//! first among hits that hold as many). A mode ending in `&` and a learner's name, last of
//! all (`hybrid-rrf&links`, `hybrid-rrf&dice/stems`), searches with a table learned again
//! from the run's kept name pairs by that learner (`WEIR_SEARCH_LEARNER`; `/stems`: words too
//! short to learn told by their stems, `WEIR_TRANSLATE_SHORT=stems`), so that learners
//! compare on one collection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "relevance/metrics.rs"]
mod metrics;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use bluejet_sim::relevance::{self, BENCH_PRODUCTS, BENCH_SEED, JudgedQuery, QueryKind};
use bluejet_sim::{BlueJetSim, RunningBlueJetSim};
use serde_json::{Value, json};

/// Hits judged per query.
const K: usize = 10;
/// The embedding template of `config/weir.toml`'s products pipeline.
const TEXT: &str = "{name} · {category} · {brand} · {material} · {description}";
/// The lexical text with `--nazev`, as `config/weir.toml`'s products pipeline has it: the
/// embedding template with `nazev`, BlueJet's Czech name, after `name` (for imported goods
/// `name` is the supplier's English name), then the identifiers. Without it the pipeline's
/// default: the template and the identifiers.
const LEXICAL_TEXT: &str = "{name} · {nazev} · {category} · {brand} · {material} · {description} · {code} · {ean}";
const MODES: [&str; 4] = ["dense", "sparse", "hybrid-rrf", "hybrid-dbsf"];

struct Args {
    embedder: String,
    modes: Vec<String>,
    products: usize,
    verbose: bool,
    /// Add `nazev` to the lexical text ([`LEXICAL_TEXT`]).
    nazev: bool,
    /// Leave `translate` out of the pipeline.
    no_translate: bool,
    /// Search after the first full sync only (the records' lexical vectors without the
    /// learned translations).
    one_pass: bool,
}

fn args() -> Args {
    let mut a = Args {
        embedder: "local".into(),
        modes: MODES.map(String::from).to_vec(),
        products: BENCH_PRODUCTS,
        verbose: false,
        nazev: false,
        no_translate: false,
        one_pass: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--embedder" => a.embedder = it.next().expect("local or hash"),
            "--modes" => a.modes = it.next().expect("a list of modes").split(',').map(String::from).collect(),
            "--products" => a.products = it.next().and_then(|v| v.replace('_', "").parse().ok()).expect("a number"),
            "--verbose" | "-v" => a.verbose = true,
            "--nazev" => a.nazev = true,
            "--no-translate" => a.no_translate = true,
            "--one-pass" => a.one_pass = true,
            "--bench" => {}
            other => {
                panic!(
                    "unknown argument {other} (--embedder local|hash, --modes LIST, --products N, --nazev, --no-translate, --one-pass, --verbose)"
                )
            }
        }
    }
    assert!(["local", "hash"].contains(&a.embedder.as_str()), "--embedder is local or hash");
    for m in &a.modes {
        let (m, learning) = m.split_once('&').unwrap_or((m, "default"));
        let (learner, short) = learning.split_once('/').unwrap_or((learning, "default"));
        assert!(
            ["default", "dice", "model1", "links"].contains(&learner),
            "unknown &{learner} in {m} (&dice, &model1, &links)"
        );
        assert!(["default", "stems", "words"].contains(&short), "unknown /{short} in {m} (/stems, /words)");
        let (m, cover) = m.split_once('@').unwrap_or((m, "default"));
        assert!(["default", "off", "all", "count"].contains(&cover), "unknown @{cover} in {m} (@off, @all, @count)");
        let (m, reach) = m.split_once('%').unwrap_or((m, "default"));
        assert!(["default", "off"].contains(&reach), "unknown %{reach} in {m} (%off)");
        let (m, exact) = m.split_once('#').unwrap_or((m, "default"));
        assert!(
            ["default", "off", "surface", "translated"].contains(&exact),
            "unknown #{exact} in {m} (#off, #surface, #translated)"
        );
        let (m, accents) = m.split_once('^').unwrap_or((m, "default"));
        assert!(["default", "off"].contains(&accents), "unknown ^{accents} in {m} (^off)");
        let (m, _typos) = m.split_once('~').unwrap_or((m, "default"));
        let (mode, how) = m.split_once('+').unwrap_or((m, "default"));
        assert!(MODES.contains(&mode), "unknown mode {m} (one of {})", MODES.join(", "));
        assert!(
            ["default", "off", "add", "idf", "fuse"].contains(&how),
            "unknown use of the table in {m} (+off, +add, +idf, +fuse)"
        );
    }
    a
}

fn write_config(dir: &Path, sim: &RunningBlueJetSim, embedder: &str, nazev: bool, translate: bool) -> PathBuf {
    let embedding = match embedder {
        "hash" => "provider = \"hash\"".to_owned(),
        _ => "provider = \"local\"\nmodel = \"multilingual-e5-small\"".to_owned(),
    };
    let (id, hash) = sim.credentials();
    let text = format!(
        r#"[sync]
state_dir = "state"
mode = "full"

[embedding]
{embedding}

[sources.bluejet]
plugin = "{source}"
config = {{ base_url = "{url}" }}
secrets = {{ token_id = "{id}", token_hash = "{hash}" }}

[sinks.store]
plugin = "{sink}"
embedded = true

[pipelines.products]
source = "bluejet"
stream = "products"
sink = "store"
text = "{TEXT}"
{lexical}
{translate}
identifiers = ["code", "ean"]
indexes = {{ category = "keyword", brand = "keyword", price = "float" }}
"#,
        source = weir_harness::plugin("bluejet-source").display(),
        sink = weir_harness::plugin("qdrant-sink").display(),
        url = sim.url(),
        translate = if translate { "translate = [\"name\", \"nazev\"]" } else { "" },
        lexical = if nazev { format!("lexical_text = \"{LEXICAL_TEXT}\"") } else { String::new() },
    );
    let path = dir.join("weir.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `weir run --mode full` of `cfg`: its seconds and its report.
fn full_sync(cfg: &Path) -> (f64, Value) {
    let t = Instant::now();
    let out = tokio::task::block_in_place(|| {
        weir(&["run", "--json", "--force", "--mode", "full", "--config"]).arg(cfg).stdin(Stdio::null()).output()
    })
    .unwrap();
    let sync_s = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "weir run failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (sync_s, serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap().into_iter().next().unwrap())
}

fn weir(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weir"));
    cmd.args(args).env("WEIR_LOG", "warn");
    cmd
}

/// One query's search in one mode: the keys of its hits, in rank order, and how long it took.
struct Searched {
    keys: Vec<String>,
    /// The hits' names, for reading a ranking in the JSON.
    names: Vec<String>,
    seconds: f64,
}

/// Runs `weir search`; `Err` carries what `weir` said when it refused or failed.
fn search(cfg: &Path, mode: &str, query: &str) -> Result<Searched, String> {
    // `sparse+off`, `sparse+add`, `sparse+idf`, `sparse+fuse`: that use of the learned table (`sparse`: the
    // default, whatever the environment says).
    // `~off`, `~0.8`: typo corrections off, or at that weight.
    // `@off`, `@all`: the fused ranking left as it is, or those hits that cover every query
    // term first (`@count`, the default: ordered by the number of terms each covers).
    // `&links`, `&dice/stems`: the table learned again from the kept pairs by that learner
    // (and with `/stems`, words measured by their stems), instead of the kept one.
    let (mode, learning) = mode.split_once('&').unwrap_or((mode, "default"));
    let (learner, short) = learning.split_once('/').unwrap_or((learning, "default"));
    let (mode, cover) = mode.split_once('@').unwrap_or((mode, "default"));
    // `%off`: the tiers' pool without the hits of the search for the terms' translations.
    let (mode, reach) = mode.split_once('%').unwrap_or((mode, "default"));
    // `#off`: each tier in ranked order, without the words as typed first; `#surface`: a
    // word counts only as typed, not through its translations.
    let (mode, exact) = mode.split_once('#').unwrap_or((mode, "default"));
    // `^off`: the query embedded as typed, without the catalogue's diacritics put back.
    let (mode, accents) = mode.split_once('^').unwrap_or((mode, "default"));
    let (mode, typos) = mode.split_once('~').unwrap_or((mode, "default"));
    let (mode, translate) = match mode.split_once('+') {
        Some((m, how)) => (m, how),
        None => (mode, "default"),
    };
    let (mode_arg, fusion) = match mode {
        "hybrid-rrf" => ("hybrid", "rrf"),
        "hybrid-dbsf" => ("hybrid", "dbsf"),
        m => (m, "rrf"),
    };
    let t = Instant::now();
    let out = weir(&["search", "--json", "-k", &K.to_string(), "--mode", mode_arg, "--fusion", fusion, "--config"])
        .arg(cfg)
        .arg("--")
        .arg(query)
        .env("WEIR_SEARCH_TRANSLATE", translate)
        .env("WEIR_SEARCH_TYPOS", typos)
        .env("WEIR_SEARCH_ACCENTS", accents)
        .env("WEIR_SEARCH_COVER", cover)
        .env("WEIR_SEARCH_REACH", reach)
        .env("WEIR_SEARCH_EXACT", exact)
        .env("WEIR_SEARCH_LEARNER", learner)
        .env("WEIR_TRANSLATE_SHORT", short)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let seconds = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("exit {:?}: {}", out.status.code(), stderr.trim()));
    }
    // A hybrid search of a collection without lexical vectors falls back to dense with a note:
    // that is not a hybrid figure.
    if mode != "dense" && stderr.contains("no lexical vectors") {
        return Err(format!("searched dense-only: {}", stderr.trim()));
    }
    let hits: Vec<Value> = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))?;
    let keys = hits.iter().map(|h| h["key"].as_str().unwrap_or_default().to_owned()).collect();
    let names = hits.iter().map(|h| h["payload"]["name"].as_str().unwrap_or_default().to_owned()).collect();
    Ok(Searched { keys, names, seconds })
}

/// One query's measures in one mode.
struct Scored {
    grades: Vec<u8>,
    ndcg: Option<f64>,
    recall: Option<f64>,
    rr: Option<f64>,
}

fn score(q: &JudgedQuery, keys: &[String]) -> Scored {
    let grades: Vec<u8> = keys.iter().take(K).map(|k| q.grade(k)).collect();
    let ideal = q.ideal_grades();
    Scored {
        ndcg: metrics::ndcg(&grades, &ideal, K),
        recall: metrics::recall(&grades, &ideal, K),
        rr: metrics::reciprocal_rank(&grades, &ideal, K),
        grades,
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("–".to_owned(), |v| format!("{v:.2}"))
}

/// The means of one group of queries.
fn summary(rows: &[&Scored]) -> Value {
    let (ndcg, n) = metrics::mean(rows.iter().map(|r| r.ndcg));
    let (recall, _) = metrics::mean(rows.iter().map(|r| r.recall));
    let (mrr, _) = metrics::mean(rows.iter().map(|r| r.rr));
    json!({ "queries": n, "ndcg_at_10": ndcg, "recall_at_10": recall, "mrr": mrr })
}

fn table(mode: &str, queries: &[JudgedQuery], scored: &[Scored]) -> Value {
    println!("\n### {mode}\n");
    println!("| query kind | queries | nDCG@10 | recall@10 | MRR |");
    println!("|---|---:|---:|---:|---:|");
    let mut kinds = serde_json::Map::new();
    let mut line = |label: &str, rows: Vec<&Scored>, bold: bool| {
        let s = summary(&rows);
        let b = if bold { "**" } else { "" };
        println!(
            "| {b}{label}{b} | {} | {b}{}{b} | {} | {} |",
            s["queries"],
            fmt(s["ndcg_at_10"].as_f64()),
            fmt(s["recall_at_10"].as_f64()),
            fmt(s["mrr"].as_f64())
        );
        kinds.insert(label.to_owned(), s);
    };
    for kind in QueryKind::ALL {
        let rows = queries.iter().zip(scored).filter(|(q, _)| q.kind == kind).map(|(_, s)| s).collect();
        line(kind.label(), rows, false);
    }
    line("all", scored.iter().collect(), true);
    // Halves of the set, for choosing a parameter on one and reporting it on the other.
    for (label, parity) in [("all, odd-numbered", 0), ("all, even-numbered", 1)] {
        line(label, scored.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, s)| s).collect(), false);
    }
    Value::Object(kinds)
}

/// How far the English (cross-language) queries reach products named only in Czech, which is
/// what the kind is about: with enough English-named products of a type (a large catalogue)
/// their recall@10 is full without a single Czech-named one. Per query, the Czech-named
/// products of grade ≥ [`metrics::RELEVANT`] in the top 10, out of min(10, how many there
/// are); and how many queries have at least one.
fn czech_reach(queries: &[JudgedQuery], per_query: &[Value], czech_named: &HashSet<String>) -> Value {
    let (mut shares, mut with_one, mut n) = (Vec::new(), 0, 0);
    for (q, found) in queries.iter().zip(per_query) {
        let relevant = q.judgments.iter().filter(|(k, g)| **g >= metrics::RELEVANT && czech_named.contains(*k)).count();
        if q.kind != QueryKind::CrossLanguage || relevant == 0 {
            continue;
        }
        let keys = found["keys"].as_array().map(Vec::as_slice).unwrap_or_default();
        let hits = keys
            .iter()
            .take(K)
            .filter_map(Value::as_str)
            .filter(|k| czech_named.contains(*k) && q.grade(k) >= metrics::RELEVANT)
            .count();
        shares.push(Some(hits as f64 / relevant.min(K) as f64));
        with_one += usize::from(hits > 0);
        n += 1;
    }
    let (recall, _) = metrics::mean(shares);
    println!(
        "
Cross-language queries, Czech-named products only: recall@10 {} (of min(10, Czech-named relevant)); \
         {with_one} of {n} queries have one in the top 10.",
        fmt(recall)
    );
    json!({ "queries": n, "recall_at_10": recall, "with_one_in_top_10": with_one })
}

fn verbose(mode: &str, queries: &[JudgedQuery], scored: &[Scored]) {
    println!("\n#### {mode}, per query\n");
    println!("| id | kind | query | relevant (≥ 2 / all) | nDCG@10 | recall@10 | RR | grades of the top 10 |");
    println!("|---|---|---|---:|---:|---:|---:|---|");
    for (q, s) in queries.iter().zip(scored) {
        let grades: Vec<String> = s.grades.iter().map(u8::to_string).collect();
        println!(
            "| {} | {} | {} | {} / {} | {} | {} | {} | {} |",
            q.id,
            q.kind.label(),
            q.text,
            q.count_at_least(metrics::RELEVANT),
            q.judgments.len(),
            fmt(s.ndcg),
            fmt(s.recall),
            fmt(s.rr),
            grades.join(" ")
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let sim = BlueJetSim::builder()
        .products(a.products)
        .seed(BENCH_SEED)
        .credentials("bench-id", "bench-hash")
        .start()
        .await
        .unwrap();
    let products = sim.products();
    let queries = relevance::judge(&products);
    let czech_named: HashSet<String> = products.iter().filter(|p| !p.english).map(|p| p.key.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &sim, &a.embedder, a.nazev, !a.no_translate);
    println!("## Relevance benchmark, {}", chrono::Utc::now().format("%Y-%m-%d"));
    println!(
        "\n{} products (seed {BENCH_SEED}), {} graded queries, embedder `{}`; top {K} of `weir search`. \
         nDCG@10: gains 2^g − 1, log2 discount; recall@10 and MRR count grade ≥ {} as relevant \
         (recall out of min(10, relevant products)).",
        a.products,
        queries.len(),
        a.embedder,
        metrics::RELEVANT
    );

    let (sync_s, report) = full_sync(&cfg);
    println!("\nFull sync: {sync_s:.1} s ({} points written).", report["counts"]["upserted"]);
    // The learned term translations, for reading beside the figures.
    let learned = dir.path().join("state/translate/products.json");
    // The first full run learns the table after writing its records; the next one writes the
    // records whose lexical vectors the table expands (`weir_engine::search::expand`), as
    // the daemon's next full run would. `--one-pass` measures the state after the first.
    let second = (learned.exists() && !a.one_pass).then(|| {
        let (s, report) = full_sync(&cfg);
        println!(
            "Second full sync (the learned translations reach the records' lexical vectors): {s:.1} s ({} points rewritten).",
            report["counts"]["upserted"]
        );
        json!({ "sync_s": s, "sync_report": report })
    });
    if learned.exists() {
        let out_dir = weir_harness::target_dir().join("bench");
        std::fs::create_dir_all(&out_dir).unwrap();
        std::fs::copy(&learned, out_dir.join("relevance-translations.json")).unwrap();
    }
    eprintln!("synced in {sync_s:.1} s; searching {} queries × {} modes", queries.len(), a.modes.len());

    let mut results = serde_json::Map::new();
    let mut unavailable = Vec::new();
    for mode in &a.modes {
        let mut scored = Vec::new();
        let mut per_query = Vec::new();
        let mut seconds = Vec::new();
        let mut failed = None;
        for q in &queries {
            match tokio::task::block_in_place(|| search(&cfg, mode, &q.text)) {
                Ok(found) => {
                    let s = score(q, &found.keys);
                    per_query.push(
                        json!({ "id": q.id, "kind": q.kind, "text": q.text, "keys": found.keys, "names": found.names,
                        "grades": s.grades, "ndcg_at_10": s.ndcg, "recall_at_10": s.recall, "rr": s.rr,
                        "seconds": found.seconds }),
                    );
                    seconds.push(found.seconds);
                    scored.push(s);
                }
                Err(why) => {
                    failed = Some(format!("query `{}`: {why}", q.id));
                    break;
                }
            }
        }
        if let Some(why) = failed {
            println!("\n### {mode}\n\nnot available: {why}");
            unavailable.push(json!({ "mode": mode, "why": why }));
            continue;
        }
        let kinds = table(mode, &queries, &scored);
        let reach = czech_reach(&queries, &per_query, &czech_named);
        seconds.sort_by(f64::total_cmp);
        let p50 = seconds[seconds.len() / 2];
        println!("\n`weir search` process, per query: p50 {:.2} s (model load included).", p50);
        if a.verbose {
            verbose(mode, &queries, &scored);
        }
        results.insert(
            mode.clone(),
            json!({ "kinds": kinds, "czech_named_reach": reach, "search_process_p50_s": p50, "queries": per_query }),
        );
    }

    let json = json!({
        "products": a.products, "seed": BENCH_SEED, "embedder": a.embedder, "k": K,
        "relevant_grade": metrics::RELEVANT, "sync_s": sync_s, "sync_report": report, "second_sync": second,
        "modes": results, "unavailable": unavailable,
    });
    let out_dir = weir_harness::target_dir().join("bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("relevance.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
    sim.shutdown().await;
}
