//! The kept translation files: what a run writes, what a search reads back.
#![allow(clippy::unwrap_used)]
use super::*;

fn load(
    dir: &Path,
    pipeline: &str,
    collection: &str,
    fields: &[String; 2],
    encoder: &LexicalEncoder,
    idf: bool,
) -> Option<HashMap<u32, Vec<(u32, f32)>>> {
    open(dir, pipeline, collection, fields, encoder).map(|k| k.translations(idf).clone())
}

/// The corrections of `term` from the kept vocabulary.
fn corrections(
    dir: &Path,
    pipeline: &str,
    collection: &str,
    fields: &[String; 2],
    encoder: &LexicalEncoder,
    term: &str,
) -> Option<Vec<String>> {
    Some(open(dir, pipeline, collection, fields, encoder)?.vocabulary()?.corrections(term))
}

use serde_json::json;

fn encoder() -> LexicalEncoder {
    LexicalEncoder::new(weir_embed::LexicalConfig::default()).unwrap()
}

fn fields() -> [String; 2] {
    ["name".to_owned(), "nazev".to_owned()]
}

fn record(name: &str, nazev: &str) -> Value {
    json!({ "name": name, "nazev": nazev })
}

fn see_chicken(c: &mut PairCollector) {
    c.see("1", &record("Chicken breast 2 kg", "Kuřecí prsa 2 kg"));
    c.see("2", &record("Chicken wings 5 kg", "Kuřecí křídla 5 kg"));
    c.see("3", &record("Turkey breast 1 kg", "Krůtí prsa 1 kg"));
    c.see("4", &record("Turkey wings", "Krůtí křídla"));
    c.see("5", &record("Hrnec 20 l", "Hrnec 20 l"));
}

/// A fresh run of `pipeline` (writing the collection of the same name) that sees the chicken
/// pairs and keeps its table.
fn chicken_run(dir: &Path, pipeline: &str, e: &LexicalEncoder) {
    let mut c = PairCollector::start(dir, pipeline, pipeline, fields(), true);
    see_chicken(&mut c);
    c.finish(e).unwrap();
}

#[test]
fn a_run_keeps_the_table_for_its_collection_fields_and_tokeniser_only() {
    let dir = tempfile::tempdir().unwrap();
    let e = encoder();
    chicken_run(dir.path(), "products", &e);
    let table = load(dir.path(), "products", "products", &fields(), &e, false).unwrap();
    let id = |w: &str| weir_embed::token_id(&e.tokens(w)[0]);
    assert_eq!(table.get(&id("chicken")).and_then(|l| l.first()).map(|p| p.0), Some(id("kuřecí")));
    // Another collection, other fields, another tokeniser: not this table.
    assert!(load(dir.path(), "products", "other", &fields(), &e, false).is_none());
    assert!(load(dir.path(), "products", "products", &["name".into(), "title".into()], &e, false).is_none());
    let other = LexicalEncoder::new(weir_embed::LexicalConfig { k1: 1.5, ..Default::default() }).unwrap();
    assert!(load(dir.path(), "products", "products", &fields(), &other, false).is_none());
    assert!(load(dir.path(), "orders", "products", &fields(), &e, false).is_none());
    // No temporary file is left beside the kept ones.
    let names: Vec<String> = std::fs::read_dir(dir.path().join(TRANSLATE_DIR))
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".new")), "{names:?}");
}

#[test]
fn an_incremental_run_adds_to_the_pairs_and_a_fresh_one_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let e = encoder();
    chicken_run(dir.path(), "p", &e);
    let kept = |dir: &Path| -> BTreeMap<String, [String; 2]> {
        serde_json::from_slice::<PairsFile>(&std::fs::read(pairs_path(dir, "p")).unwrap()).unwrap().pairs
    };
    assert_eq!(kept(dir.path()).keys().cloned().collect::<Vec<_>>(), ["1", "2", "3", "4"]);

    // Incremental: record 6 is new, record 2 is renamed to its Czech name (drops out).
    let mut c = PairCollector::start(dir.path(), "p", "p", fields(), false);
    c.see("6", &record("Duck breast", "Kachní prsa"));
    c.see("2", &record("Kuřecí křídla 5 kg", "Kuřecí křídla 5 kg"));
    c.finish(&e).unwrap();
    assert_eq!(kept(dir.path()).keys().cloned().collect::<Vec<_>>(), ["1", "3", "4", "6"]);

    // A fresh (full) run keeps only what it saw.
    let mut c = PairCollector::start(dir.path(), "p", "p", fields(), true);
    c.see("9", &record("Frying pan", "Pánev"));
    c.finish(&e).unwrap();
    assert_eq!(kept(dir.path()).keys().cloned().collect::<Vec<_>>(), ["9"]);

    // Other fields: the kept pairs are not added to.
    let c = PairCollector::start(dir.path(), "p", "p", ["name".into(), "title".into()], false);
    assert!(c.pairs.is_empty());
}

#[test]
fn a_broken_table_file_is_searched_without() {
    let dir = tempfile::tempdir().unwrap();
    let path = table_path(dir.path(), "p");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"{ not json").unwrap();
    assert!(load(dir.path(), "p", "p", &fields(), &encoder(), false).is_none());
    // And a run starts its pairs afresh from a broken pairs file.
    std::fs::write(pairs_path(dir.path(), "p"), b"[1, 2").unwrap();
    let c = PairCollector::start(dir.path(), "p", "p", fields(), false);
    assert!(c.pairs.is_empty());
}

#[test]
fn a_fresh_run_counts_the_terms_document_frequencies_and_an_incremental_one_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let e = encoder();
    let id = |w: &str| weir_embed::token_id(&e.tokens(w)[0]);
    let mut c = PairCollector::start(dir.path(), "p", "p", fields(), true);
    see_chicken(&mut c);
    // The lexical texts of the collection: "prsa" in four records, "breast" in two (each
    // record counts once, however often it says the word).
    for text in [
        "Chicken breast · Kuřecí prsa · Kuřecí prsa",
        "Turkey breast · Krůtí prsa",
        "Kuřecí prsa chlazená",
        "Kachní prsa",
        "Chicken wings · Kuřecí křídla",
        "Hrnec 20 l",
    ] {
        c.count(&e, text);
    }
    c.finish(&e).unwrap();
    let kept = read_table(dir.path(), "p").unwrap();
    assert_eq!(kept.docs, 6);
    let (breast, prsa) = (e.tokens("breast")[0].clone(), e.tokens("prsa")[0].clone());
    assert_eq!((kept.df[&breast], kept.df[&prsa]), (2, 4), "{:?}", kept.df);
    // Searched with IDF weights, "breast"'s translation weighs more than learned; without,
    // as learned.
    let plain = load(dir.path(), "p", "p", &fields(), &e, false).unwrap();
    let weighted = load(dir.path(), "p", "p", &fields(), &e, true).unwrap();
    let strength = |t: &HashMap<u32, Vec<(u32, f32)>>| {
        t[&id("breast")].iter().find(|(u, _)| *u == id("prsa")).map(|p| p.1).unwrap()
    };
    assert!(strength(&weighted) > strength(&plain), "{} {}", strength(&weighted), strength(&plain));

    // An incremental run counts nothing and keeps the fresh run's counts.
    let mut c = PairCollector::start(dir.path(), "p", "p", fields(), false);
    c.see("6", &record("Duck breast", "Kachní prsa"));
    c.count(&e, "Duck breast · Kachní prsa");
    c.finish(&e).unwrap();
    let kept = read_table(dir.path(), "p").unwrap();
    assert_eq!((kept.docs, kept.df[&breast]), (6, 2));
    // The vocabulary for typo tolerance: the fresh run's terms, kept by the incremental one;
    // short terms and terms with digits are not in it.
    let vocab = &kept.vocab;
    assert_eq!((vocab.get(&breast), vocab.get(&e.tokens("chicken")[0])), (Some(&2), Some(&2)), "{vocab:?}");
    assert!(vocab.keys().all(|t| typos::kept_term(t)) && !vocab.contains_key(&prsa), "{vocab:?}");
    let found = corrections(dir.path(), "p", "p", &fields(), &e, &e.tokens("chiken")[0]).unwrap();
    assert_eq!(found, [e.tokens("chicken")[0].clone()]);
}

#[test]
fn a_table_is_read_once_until_a_run_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let e = encoder();
    chicken_run(dir.path(), "products", &e);
    let open = || open(dir.path(), "products", "products", &fields(), &e).unwrap();
    let (a, b) = (open(), open());
    assert!(Arc::ptr_eq(&a.0, &b.0), "the same file is not read twice");
    assert!(std::ptr::eq(a.translations(false), b.translations(false)), "nor indexed twice");
    let before = a.translations(false).len();

    // A later full run learns from other pairs: the next search reads the new file.
    let mut c = PairCollector::start(dir.path(), "products", "products", fields(), true);
    c.see("1", &record("Chicken breast 2 kg", "Kuřecí prsa 2 kg"));
    c.see("2", &record("Chicken wings 5 kg", "Kuřecí křídla 5 kg"));
    c.finish(&e).unwrap();
    let c = open();
    assert!(!Arc::ptr_eq(&a.0, &c.0));
    assert_ne!(c.translations(false).len(), before, "{:?}", c.0.file.translations);
    // A table removed is no table, whatever was read before.
    std::fs::remove_file(table_path(dir.path(), "products")).unwrap();
    assert!(super::open(dir.path(), "products", "products", &fields(), &e).is_none());
}

#[test]
fn a_search_can_learn_the_table_again_from_the_kept_pairs_with_another_learner() {
    let dir = tempfile::tempdir().unwrap();
    let e = encoder();
    let mut c = PairCollector::start(dir.path(), "p", "p", fields(), true);
    for (i, (en, cz)) in [
        ("Pork tenderloin 1 kg", "Vepřová panenka 1 kg"),
        ("Pork tenderloin 0.5 kg", "Vepřová panenka 0,5 kg"),
        ("Pork neck 1 kg", "Vepřová krkovice 1 kg"),
        ("Beef tenderloin 2 kg", "Hovězí svíčková 2 kg"),
        ("Beef tenderloin 2.5 kg", "Hovězí svíčková 2,5 kg"),
        ("Beef brisket 3 kg", "Hovězí hrudí 3 kg"),
    ]
    .into_iter()
    .enumerate()
    {
        c.see(&i.to_string(), &record(en, cz));
    }
    c.finish(&e).unwrap();
    let id = |w: &str| weir_embed::token_id(&e.tokens(w)[0]);
    let of = |relearn| -> Option<Vec<u32>> {
        let kept = open_learned(dir.path(), "p", "p", &fields(), &e, relearn)?;
        Some(
            kept.translations(false)
                .get(&id("tenderloin"))
                .map(|l| l.iter().map(|p| p.0).collect())
                .unwrap_or_default(),
        )
    };
    // The kept table is the default learner's: competitive linking gives both cuts.
    let kept = of(None).unwrap();
    assert!(kept.contains(&id("panenka")) && kept.contains(&id("svíčková")), "{kept:?}");
    // Learned again by Dice (mutual best matches): "tenderloin" has none.
    assert_eq!(of(Some((Learner::Dice, Short::Words))).unwrap(), Vec::<u32>::new());
    assert_eq!(of(Some((Learner::Links, Short::Words))).unwrap(), kept);
    // Without the kept pairs there is nothing to learn from: no table rather than the kept one.
    std::fs::remove_file(pairs_path(dir.path(), "p")).unwrap();
    assert!(of(Some((Learner::Dice, Short::Words))).is_none());
    assert!(of(None).is_some());
}
