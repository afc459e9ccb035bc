//! `weir search` end to end over hybrid collections: the BlueJet simulator, qdrant-local, the
//! bundled qdrant-sink and the hash embedder (lexical by construction, so the dense ranking
//! alone cannot be what finds a code or an EAN: those tests search a catalogue whose dense
//! text leaves codes and EANs out).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bluejet_sim::BlueJetSim;
use common::{env, text};
use serde_json::Value;

/// The pipeline keys of a hybrid products pipeline with identifiers and the indexes a filter
/// test needs.
const HYBRID: &str = "identifiers = [\"code\", \"ean\"]\nindexes = { category = \"keyword\" }";

fn hits(o: &std::process::Output) -> Vec<Value> {
    assert!(o.status.success(), "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(o)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_and_eans_come_first_words_match_without_diacritics_and_bad_input_is_refused_clearly() {
    let e = env(BlueJetSim::builder().products(1_500)).await;
    let cfg = e.config("hybrid", "hybrid", HYBRID);
    let c = cfg.to_str().unwrap();
    let o = e.output(&["run", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));

    // Products picked from the simulator's own data, spread over the catalogue.
    let products = e.sim.products();
    assert!(products.len() >= 1_000, "{}", products.len());
    for p in [&products[3], &products[products.len() / 2], &products[products.len() - 7]] {
        // The code, as typed: exact, lower-case with spaces around.
        for query in [p.code.clone(), format!("  {}  ", p.code.to_lowercase())] {
            let found = hits(&e.output(&["search", "--json", "-k", "5", "--config", c, &query]).await);
            assert_eq!(found[0]["key"], Value::from(p.key.clone()), "query {query:?}: {found:#?}");
            assert_eq!(found[0]["match"], "identifier");
            assert_eq!(found[0]["payload"]["code"], Value::from(p.code.clone()));
            // Never twice: the identifier hit is not repeated by the ranking.
            assert_eq!(found.iter().filter(|h| h["key"] == found[0]["key"]).count(), 1);
        }
        let found = hits(&e.output(&["search", "--json", "-k", "5", "--config", c, &p.ean]).await);
        assert_eq!(found[0]["key"], Value::from(p.key.clone()), "EAN {}: {found:#?}", p.ean);
        // No other product holds the EAN, and the dense neighbours of a number are not shown.
        assert_eq!(found.len(), 1, "EAN {}: {found:#?}", p.ean);
    }

    // Words without diacritics find the products by lexical match alone.
    let chicken: Vec<&str> =
        products.iter().filter(|p| p.type_id() == "kure-prsa" && !p.english).map(|p| p.key.as_str()).collect();
    assert!(!chicken.is_empty(), "the catalogue has Czech-named chicken breast");
    let found =
        hits(&e.output(&["search", "--json", "--mode", "sparse", "-k", "10", "--config", c, "kureci prsa"]).await);
    assert!(!found.is_empty());
    let top = found[0]["key"].as_str().unwrap();
    assert!(chicken.contains(&top), "top sparse hit {top} is not chicken breast: {found:#?}");
    // The default (hybrid) and dense modes and DBSF fusion answer too.
    for args in [vec![], vec!["--mode", "dense"], vec!["--fusion", "dbsf"]] {
        let mut all = vec!["search", "--json", "--config", c];
        all.extend(args.iter().copied());
        all.push("kuřecí prsa");
        assert!(!hits(&e.output(&all).await).is_empty(), "{args:?}");
    }

    // The text output shows product fields, not record keys.
    let p = &products[10];
    let o = e.output(&["search", "--config", c, &p.code]).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let first = out.lines().next().unwrap();
    assert!(first.contains(&p.code) && first.contains(&p.name), "{out}");
    assert!(!out.contains(&p.key), "record keys are not shown: {out}");

    // Bad input: an empty query is a usage error (exit 2), said once.
    for q in ["", "   "] {
        let o = e.output(&["search", "--config", c, q]).await;
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("query is empty"), "{}", text(&o));
    }
    // A 10,000-character query is searched (cut, with a note).
    let long = "hrnec ".repeat(1_700);
    let o = e.output(&["search", "--json", "--config", c, &long]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("characters"), "{}", text(&o));
    // Other scripts: results or none, never an error.
    for q in ["куриная грудка", "鸡胸肉", "🍗"] {
        hits(&e.output(&["search", "--json", "--config", c, q]).await);
        hits(&e.output(&["search", "--json", "--mode", "sparse", "--config", c, q]).await);
    }
    // A filter on an unindexed field names the field and how to index it.
    let o = e.output(&["search", "--filter", "brand=Rational", "--config", c, "hrnec"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("`brand`") && text(&o).contains("indexes"), "{}", text(&o));
    // An indexed one filters.
    let category = e.sim.record(common::PRODUCTS, &p.key).unwrap()["category"].as_str().unwrap().to_owned();
    let filter = format!("category={category}");
    let found = hits(&e.output(&["search", "--json", "--filter", &filter, "--config", c, "hrnec"]).await);
    assert!(found.iter().all(|h| h["payload"]["category"] == category.as_str()), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dense_only_collection_keeps_working_until_a_rebuild_upgrades_it() {
    let e = env(BlueJetSim::builder().products(600)).await;
    // A collection made dense-only, as before hybrid search.
    let dense = e.config("legacy", "legacy", &format!("{HYBRID}\nsearch = \"dense\""));
    let o = e.output(&["run", "--config", dense.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));

    // The same pipeline, now hybrid by default: it keeps syncing the collection dense-only
    // and searches it dense-only, with a note naming the upgrade.
    let cfg = e.config("legacy", "legacy", HYBRID);
    let c = cfg.to_str().unwrap();
    let o = e.output(&["run", "--json", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(common::reports(&o)[0]["counts"]["embedded"], 0, "nothing re-embedded: {}", text(&o));
    let o = e.output(&["search", "--json", "--config", c, "hrnec"]).await;
    assert!(!hits(&o).is_empty());
    let note = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(note.contains("note:") && note.contains("weir run --mode rebuild"), "{note}");
    let o = e.output(&["search", "--mode", "sparse", "--config", c, "hrnec"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("weir run --mode rebuild"), "{}", text(&o));

    // A rebuild makes the new version hybrid and switches the alias: no note, words search.
    let o = e.output(&["run", "--mode", "rebuild", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let o = e.output(&["search", "--json", "--config", c, "hrnec"]).await;
    assert!(!hits(&o).is_empty());
    assert!(!String::from_utf8_lossy(&o.stderr).contains("note:"), "{}", text(&o));
    let p = &e.sim.products()[5];
    let found = hits(&e.output(&["search", "--json", "--mode", "sparse", "--config", c, &p.code]).await);
    assert_eq!(found[0]["key"], Value::from(p.key.clone()), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_lexical_settings_needs_a_rebuild() {
    let e = env(BlueJetSim::builder().products(400)).await;
    let cfg = e.config("guard", "guard", HYBRID);
    let o = e.output(&["run", "--config", cfg.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));

    // Other BM25 parameters would give terms weights not comparable with the stored ones.
    let changed = e.config("guard", "guard", &format!("{HYBRID}\nlexical = {{ k1 = 1.6 }}"));
    let c = changed.to_str().unwrap();
    let o = e.output(&["run", "--config", c]).await;
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("weir run --mode rebuild") && text(&o).contains("k1=1.6"), "{}", text(&o));
    // A rebuild is the way: afterwards the changed settings sync and search.
    let o = e.output(&["run", "--mode", "rebuild", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let o = e.output(&["run", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let p = &e.sim.products()[2];
    let found = hits(&e.output(&["search", "--json", "--config", c, &p.ean]).await);
    assert_eq!(found[0]["key"], Value::from(p.key.clone()));
}

/// `weir search` in sparse mode, the feedback round off (it finds Czech-named products from
/// English-named top hits by itself) and the learned translations on or `off`: the top 100,
/// as translations weigh less than the query's own words, so every English-named product with
/// one of them comes first.
async fn sparse_without_feedback(e: &common::Env, cfg: &str, query: &str, translate: &str) -> Vec<Value> {
    let mut c = e.weir();
    c.args(["search", "--json", "--mode", "sparse", "-k", "100", "--config", cfg, query])
        .env("WEIR_SEARCH_FEEDBACK", "off")
        .env("WEIR_SEARCH_TRANSLATE", translate);
    hits(&tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_query_finds_czech_named_products_through_the_translations_the_run_learned() {
    let e = env(BlueJetSim::builder().products(3_000)).await;
    let cfg = e.config("translate", "translate", &format!("{HYBRID}\ntranslate = [\"name\", \"nazev\"]"));
    let c = cfg.to_str().unwrap();
    let o = e.output(&["run", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let table = e.dir.path().join("translate-state/translate/products.json");
    assert!(table.exists(), "the run keeps the learned table in its state directory");

    let products = e.sim.products();
    // Chicken breast named only in Czech: no word of "chicken breast" is in its text (the
    // pipeline's text has no `nazev`, and Czech-named products have Czech descriptions).
    let czech: Vec<&str> =
        products.iter().filter(|p| p.type_id() == "kure-prsa" && !p.english).map(|p| p.key.as_str()).collect();
    assert!(
        products.iter().any(|p| p.english && p.type_id().starts_with("kure-")),
        "English-named chicken to learn from"
    );
    assert!(!czech.is_empty(), "the catalogue has Czech-named chicken breast");
    let czech_in =
        |found: &[Value]| found.iter().filter(|h| czech.contains(&h["key"].as_str().unwrap_or_default())).count();

    // Without the table the words reach only what carries them.
    let without = sparse_without_feedback(&e, c, "chicken breast", "off").await;
    assert_eq!(czech_in(&without), 0, "{without:#?}");
    // With it, "chicken" and "breast" bring "kuřecí" and "prsa" along.
    let with = sparse_without_feedback(&e, c, "chicken breast", "on").await;
    assert!(czech_in(&with) > 0, "no Czech-named chicken breast in {with:#?}");
    // So do the other uses of the table, measured against the default: weighed by the IDF
    // the run counted, and searched alone and fused by rank.
    for how in ["idf", "fuse"] {
        let found = sparse_without_feedback(&e, c, "chicken breast", how).await;
        assert!(czech_in(&found) > 0, "{how}: no Czech-named chicken breast in {found:#?}");
    }

    // A misspelt word the catalogue does not have gets the catalogue's closest term from the
    // vocabulary the run kept: "chiken" finds chicken, and nothing without the correction.
    let chiken = |typos: &'static str| {
        let mut cmd = e.weir();
        cmd.args(["search", "--json", "--mode", "sparse", "-k", "10", "--config", c, "chiken"])
            .env("WEIR_SEARCH_FEEDBACK", "off")
            .env("WEIR_SEARCH_TRANSLATE", "off")
            .env("WEIR_SEARCH_TYPOS", typos);
        async move { hits(&tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()) }
    };
    assert!(chiken("off").await.is_empty(), "\"chiken\" is no word of the catalogue");
    let found = chiken("on").await;
    let says_chicken = |h: &Value| h["payload"]["name"].as_str().is_some_and(|n| n.to_lowercase().contains("chicken"));
    assert!(!found.is_empty() && found.iter().all(says_chicken), "{found:#?}");

    // A query typed without diacritics is embedded as the catalogue spells its words (kept
    // by the same run): the dense ranking of "kureci prsa" is the one of "kuřecí prsa", and
    // another one when it is embedded as typed.
    let dense = |query: &'static str, accents: &'static str| {
        let mut cmd = e.weir();
        cmd.args(["search", "--json", "--mode", "dense", "-k", "10", "--config", c, query])
            .env("WEIR_SEARCH_ACCENTS", accents);
        async move {
            let found = hits(&tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap());
            found.iter().map(|h| h["key"].as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>()
        }
    };
    let spelled = dense("kuřecí prsa", "on").await;
    assert_eq!(spelled.len(), 10);
    assert_eq!(dense("kureci prsa", "on").await, spelled);
    assert_eq!(dense("Kureci Prsa", "on").await, dense("Kuřecí Prsa", "on").await);
    assert_ne!(dense("kureci prsa", "off").await, spelled);

    // "chicken breast" means both words: with the ranking's first hits put in tiers by the
    // number of query terms they cover (or with those covering all first) (a translation covers its term), every Czech-named chicken breast
    // comes before any turkey or duck breast, which holds "breast" alone. Without the tiers,
    // the English "breast" of the turkey and duck puts at least one of them ahead.
    let ranked = |cover: &'static str| {
        let mut cmd = e.weir();
        cmd.args(["search", "--json", "--mode", "sparse", "-k", "40", "--config", c, "chicken breast"])
            .env("WEIR_SEARCH_FEEDBACK", "off")
            .env("WEIR_SEARCH_COVER", cover);
        async move { hits(&tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()) }
    };
    let type_of = |h: &Value| {
        let key = h["key"].as_str().unwrap_or_default();
        products.iter().find(|p| p.key == key).map(|p| (p.type_id().to_owned(), p.english)).unwrap()
    };
    // (A turkey or duck breast of the brand "Vodňanské kuře" covers both words: "kuře" is a
    // learned translation of "chicken", as in "Kuře celé", "Whole chicken". Only the others
    // hold "breast" alone.)
    let says_kure = |h: &Value| {
        ["name", "brand"].iter().any(|f| h["payload"][f].as_str().is_some_and(|s| s.to_lowercase().contains("kuře")))
    };
    let czech_chicken_after_other_breast = |found: &[Value]| {
        let other =
            found.iter().position(|h| ["kruti-prsa", "kachni-prsa"].contains(&type_of(h).0.as_str()) && !says_kure(h));
        let last_czech = found.iter().rposition(|h| matches!(type_of(h), (t, false) if t.starts_with("kure-prsa")));
        assert!(other.is_some() && last_czech.is_some(), "{found:#?}");
        last_czech > other
    };
    assert!(!czech_chicken_after_other_breast(&ranked("count").await));
    assert!(!czech_chicken_after_other_breast(&ranked("all").await));
    assert!(czech_chicken_after_other_breast(&ranked("off").await));

    // The tiers lift only what their pool holds. In a hybrid search the Czech-named chicken
    // breasts rank below the fused pool (translations weigh less than the query's own words,
    // and the hash vectors know no meaning), so the pool also takes the hits of a search for
    // the terms' translations: with it they reach the top ten, without it none does.
    let hybrid = |reach: &'static str| {
        let mut cmd = e.weir();
        cmd.args(["search", "--json", "-k", "10", "--config", c, "chicken breast"]).env("WEIR_SEARCH_REACH", reach);
        async move { hits(&tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()) }
    };
    let (with, without) = (hybrid("on").await, hybrid("off").await);
    assert!(czech_in(&with) > 0, "{with:#?}");
    assert_eq!(czech_in(&without), 0, "{without:#?}");
    // They come in the tier of the hits that hold both words: before any product that holds
    // "breast" alone. (Other chicken products may share that tier: chicken nuggets are made
    // "z prsního masa", of breast meat; and so may the brand "Vodňanské kuře", above.)
    let first_other =
        with.iter().position(|h| !type_of(h).0.starts_with("kure-") && !says_kure(h)).unwrap_or(with.len());
    let last_czech = with.iter().rposition(|h| czech.contains(&h["key"].as_str().unwrap_or_default()));
    assert!(last_czech < Some(first_other), "{with:#?}");

    // "ledu" (ice) and "ledové" (icy) are one term to the stemmer: without the words as
    // typed first, a slush machine ("Výrobník ledové tříště") ranks among the (crushed-)ice
    // makers ("Výrobník tříštěného ledu"); with them, every ice maker of the top ten comes
    // before any slush machine. (Without the feedback round, whose terms change the order.)
    let ice = |exact: &'static str| {
        let mut cmd = e.weir();
        cmd.args(["search", "--json", "-k", "10", "--config", c, "vyrobnik ledu"])
            .env("WEIR_SEARCH_EXACT", exact)
            .env("WEIR_SEARCH_FEEDBACK", "off");
        async move { hits(&tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()) }
    };
    let slush_before_ice_maker = |found: &[Value]| {
        let slush = found.iter().position(|h| type_of(h).0 == "granitor");
        let maker = found.iter().rposition(|h| type_of(h).0.starts_with("vyrobnik-ledu"));
        assert!(maker.is_some(), "{found:#?}");
        slush.is_some_and(|s| Some(s) < maker)
    };
    assert!(!slush_before_ice_maker(&ice("on").await));
    assert!(slush_before_ice_maker(&ice("off").await));

    // "myčka nádobí" (dishwasher): English-named products hold "myčka" only through its
    // translation "dishwasher" (and "nádobí" as typed, in their Czech descriptions: a glass
    // basket "for dishwashers", a detergent), while a Czech-named dishwasher holds both words
    // as typed. Among hits that hold as many words, those holding every one as typed come
    // first: no other product ranks above a dishwasher of the top ten. Counting the two ways
    // alike (`translated`) puts a glass basket among them.
    let dishwasher = |exact: &'static str| {
        let mut cmd = e.weir();
        cmd.args(["search", "--json", "--mode", "sparse", "-k", "10", "--config", c, "myčka nádobí"])
            .env("WEIR_SEARCH_EXACT", exact)
            .env("WEIR_SEARCH_FEEDBACK", "off");
        async move { hits(&tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()) }
    };
    let other_above_a_dishwasher = |found: &[Value]| {
        let washer = |h: &Value| {
            let t = type_of(h).0;
            t.starts_with("mycka-") && t != "mycka-prostredek"
        };
        let last = found.iter().rposition(washer);
        assert!(last.is_some(), "{found:#?}");
        found.iter().position(|h| !washer(h)).is_some_and(|other| Some(other) < last)
    };
    let typed = dishwasher("on").await;
    assert!(!other_above_a_dishwasher(&typed), "{typed:#?}");
    assert!(other_above_a_dishwasher(&dishwasher("translated").await));

    // Without `translate` a full run keeps nothing, and searches go without the old table.
    let plain = e.config("translate", "translate", HYBRID);
    let o = e.output(&["run", "--config", plain.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));
    let found = sparse_without_feedback(&e, plain.to_str().unwrap(), "chicken breast", "on").await;
    assert_eq!(czech_in(&found), 0, "{found:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_full_run_gives_czech_named_products_their_learned_english_words() {
    let e = env(BlueJetSim::builder().products(3_000)).await;
    let cfg = e.config("expand", "expand", &format!("{HYBRID}\ntranslate = [\"name\", \"nazev\"]"));
    let c = cfg.to_str().unwrap();
    let full = |expand: &'static str| {
        let mut cmd = e.weir();
        cmd.args(["run", "--json", "--mode", "full", "--config", c]).env("WEIR_EXPAND", expand);
        async move {
            let o = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
            assert!(o.status.success(), "{}", text(&o));
            common::reports(&o)[0]["counts"]["embedded"].as_u64().unwrap()
        }
    };
    let products = e.sim.products();
    let czech: Vec<&str> =
        products.iter().filter(|p| p.type_id() == "kure-prsa" && !p.english).map(|p| p.key.as_str()).collect();
    assert!(!czech.is_empty(), "the catalogue has Czech-named chicken breast");
    let czech_in =
        |found: &[Value]| found.iter().filter(|h| czech.contains(&h["key"].as_str().unwrap_or_default())).count();

    // The first full run learns the table after writing the records: they hold no English
    // word, and without the query's translations "chicken breast" does not reach them.
    let written = full("1").await;
    assert!(written > 0);
    assert_eq!(czech_in(&sparse_without_feedback(&e, c, "chicken breast", "off").await), 0);

    // The next full run rewrites the records the table expands (not every record: English
    // words a record holds already are not added), and the query's own words now reach the
    // Czech-named chicken breast, all of it, ahead of what matches one word.
    let rewritten = full("1").await;
    assert!(rewritten >= czech.len() as u64 && rewritten < written, "{rewritten} of {written} rewritten");
    let found = sparse_without_feedback(&e, c, "chicken breast", "off").await;
    assert_eq!(czech_in(&found), czech.len(), "{found:#?}");
    let type_of = |h: &Value| {
        let key = h["key"].as_str().unwrap_or_default();
        products.iter().find(|p| p.key == key).map(|p| p.type_id()).unwrap_or_default()
    };
    let last_czech = found.iter().rposition(|h| czech.contains(&h["key"].as_str().unwrap_or_default())).unwrap();
    let first_other_breast = found.iter().position(|h| ["kruti-prsa", "kachni-prsa"].contains(&type_of(h)));
    assert!(
        first_other_breast.is_none_or(|i| i > last_czech),
        "every Czech-named chicken breast before any turkey or duck breast: {found:#?}"
    );

    // The table is the same, so a third run rewrites nothing; without the expansion the
    // records go back to their own words.
    assert_eq!(full("1").await, 0);
    assert_eq!(full("off").await, rewritten);
    assert_eq!(czech_in(&sparse_without_feedback(&e, c, "chicken breast", "off").await), 0);
}

/// `weir demo` end to end with the hash embedder (the local model's demo is `cargo xtask demo`,
/// too slow for a test): it syncs, changes, syncs again and searches what staff type, each query
/// with results, and the bare EAN it picks from the catalogue finds that product first.
#[test]
fn the_demo_searches_what_staff_type_and_a_bare_ean_finds_its_product() {
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["demo", "--products", "1000", "--embedder", "hash", "-k", "3", "--state-dir"])
        .arg(dir.path())
        .env("WEIR_LOG", "warn")
        .env_remove("WEIR_PLUGIN_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let lines: Vec<&str> = out.lines().collect();
    let searched: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].trim_start().starts_with('"')).collect();
    assert!(searched.len() >= 7, "six queries and an EAN: {out}");
    for &i in &searched {
        let first = lines.get(i + 1).copied().unwrap_or_default();
        assert!(!first.trim().is_empty(), "no result for {}: {out}", lines[i]);
    }
    for q in ["\"chicken breast\"", "\"kureci prsa\"", "\"GN 1/1 65 mm\""] {
        assert!(out.contains(q), "{q} not searched: {out}");
    }
    let i = searched.iter().copied().find(|i| lines[*i].contains("(the EAN of ")).expect("an EAN searched");
    let name = lines[i].split("(the EAN of ").nth(1).unwrap().trim_end_matches(')');
    assert!(lines[i + 1].contains(name), "the EAN's product first: {}\n{out}", lines[i + 1]);
}
