//! Encoder-level tests: vector shape, BM25 weights, identity and guard, and ranking over a
//! small catalogue scored the way Qdrant scores a sparse vector with the IDF modifier.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn encoder() -> LexicalEncoder {
    LexicalEncoder::new(LexicalConfig::default()).unwrap()
}

fn with(k1: f32, b: f32, avg_doc_len: f32) -> LexicalEncoder {
    LexicalEncoder::new(LexicalConfig { k1, b, avg_doc_len, ..LexicalConfig::default() }).unwrap()
}

fn assert_well_formed(v: &SparseVector) {
    assert_eq!(v.indices.len(), v.values.len());
    assert!(v.indices.windows(2).all(|w| w[0] < w[1]), "indices must be strictly increasing: {:?}", v.indices);
    assert!(v.values.iter().all(|x| x.is_finite() && *x > 0.0));
}

#[test]
fn vectors_are_sorted_unique_positive_and_deterministic() {
    let e = encoder();
    let texts = [
        "Kuřecí prsa chlazená, kuřecí maso z ČR, 1 kg",
        "Hrnec nerezový 20 l s poklicí; hrnec na polévky, GN 1/1 65 mm, KON-10023, EAN 8594001234567",
        "Chicken breast fillets, chicken, chicken",
        "Привет мир 寿司 🍕",
    ];
    for text in texts {
        let doc = e.document(text);
        let query = e.query(text);
        assert!(!doc.is_empty(), "{text}");
        assert_well_formed(&doc);
        assert_well_formed(&query);
        assert_eq!(doc.indices, query.indices, "document and query see the same terms");
        assert!(query.values.iter().all(|v| *v == 1.0));
        assert_eq!(doc, e.document(text));
        assert_eq!(doc, encoder().document(text), "a fresh encoder gives the same vector");
    }
}

#[test]
fn empty_and_stop_word_only_texts_give_empty_vectors() {
    let e = encoder();
    for text in ["", "   \n\t", "a v na pro the of and", "—, . / -", "…!?"] {
        assert!(e.document(text).is_empty(), "{text:?}");
        assert!(e.query(text).is_empty(), "{text:?}");
    }
}

#[test]
fn diacritics_case_and_word_forms_give_the_same_query() {
    let e = encoder();
    assert_eq!(e.query("kuřecí prsa"), e.query("kureci prsa"));
    assert_eq!(e.query("KUŘECÍ PRSA"), e.query("kuřecích prsou"));
    assert_eq!(e.query("chicken breasts"), e.query("Chicken breast"));
    assert_ne!(e.query("kuřecí prsa"), e.query("krůtí prsa"));
}

#[test]
fn document_weights_are_bm25_term_frequency_parts() {
    // Independent of the encoder: tf·(k1+1) / (tf + k1·(1 − b + b·len/avg_len)).
    let bm25 = |tf: f64, len: f64, k1: f64, b: f64, avg: f64| tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * len / avg));
    let e = with(1.2, 0.75, 3.0);
    // Tokens: hrnc, hrnc, nadob — three, at the average length.
    let doc = e.document("hrnec hrnce nádoba");
    assert_eq!(doc.len(), 2);
    let hrnc = doc.get(token_id("hrnc")).unwrap();
    let nadob = doc.get(token_id("nadob")).unwrap();
    assert!((f64::from(hrnc) - 1.375).abs() < 1e-6, "{hrnc}");
    assert!((f64::from(hrnc) - bm25(2.0, 3.0, 1.2, 0.75, 3.0)).abs() < 1e-6);
    assert!((f64::from(nadob) - 1.0).abs() < 1e-6, "{nadob}");

    // Defaults: kon, 10023, kon10023, konvektom, konvektom.
    let e = encoder();
    let doc = e.document("kon-10023 konvektomat konvektomat");
    assert_eq!(e.tokens("kon-10023 konvektomat konvektomat").len(), 5);
    let w = doc.get(token_id("konvektom")).unwrap();
    let expected = bm25(2.0, 5.0, f64::from(DEFAULT_K1), f64::from(DEFAULT_B), f64::from(DEFAULT_AVG_DOC_LEN));
    assert!((f64::from(w) - expected).abs() < 1e-6, "{w} vs {expected}");
}

#[test]
fn extra_terms_weigh_as_their_fractional_count_without_lengthening_the_text() {
    let bm25 = |tf: f64, len: f64| tf * 2.2 / (tf + 1.2 * (1.0 - 0.75 + 0.75 * len / 3.0));
    let e = with(1.2, 0.75, 3.0);
    let text = "hrnec hrnce nádoba";
    let (chicken, hrnc) = (token_id("chickn"), token_id("hrnc"));
    let plain = e.document(text);
    assert_eq!(e.document_expanded(text, &[]), plain, "no extra terms: the plain vector");
    let mut extra = vec![(chicken, 0.5), (hrnc, 0.9), (token_id("pot"), 0.0)];
    extra.sort_unstable_by_key(|p| p.0);
    let doc = e.document_expanded(text, &extra);
    assert_well_formed(&doc);
    assert_eq!(doc.len(), 3, "the text's two terms and one extra (a zero weight adds nothing)");
    assert_eq!(doc.get(hrnc), plain.get(hrnc), "a term the text holds keeps its own weight");
    assert_eq!(doc.get(token_id("nadob")), plain.get(token_id("nadob")), "the length is the text's alone");
    let w = f64::from(doc.get(chicken).unwrap());
    assert!((w - bm25(0.5, 3.0)).abs() < 1e-6, "{w}");
    assert!(w < f64::from(doc.get(token_id("nadob")).unwrap()), "half an occurrence weighs less than one");
}

#[test]
fn longer_documents_weigh_a_term_less() {
    let e = encoder();
    let short = e.document("hrnec nerezový");
    let long = e.document("hrnec nerezový 20 l s poklicí, silné dno, vhodný pro indukci, plyn i elektřinu");
    let term = token_id("hrnc");
    assert!(long.get(term).unwrap() < short.get(term).unwrap());
    // Without length normalisation (b = 0) the length does not matter.
    let flat = with(1.2, 0.0, 64.0);
    let a = flat.document("hrnec nerezový").get(term).unwrap();
    let b = flat.document("hrnec nerezový 20 l s poklicí, silné dno").get(term).unwrap();
    assert!((a - b).abs() < 1e-6);
}

#[test]
fn term_frequency_saturates_below_k1_plus_one() {
    let e = with(1.2, 0.0, 64.0);
    let weights: Vec<f32> = [1, 2, 4, 8, 64]
        .iter()
        .map(|n| e.document(&vec!["losos"; *n].join(" ")).get(token_id("losos")).unwrap())
        .collect();
    assert!(weights.windows(2).all(|w| w[0] < w[1]), "{weights:?}");
    let gains: Vec<f32> = weights.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gains[0] > gains[1] && gains[1] > gains[2], "{gains:?}");
    assert!(weights.iter().all(|w| *w < 2.2));
    // k1 = 0: a term counts once however often it occurs.
    let binary = with(0.0, 0.75, 64.0);
    assert_eq!(binary.document("losos losos losos").values, [1.0]);
}

#[test]
fn config_is_validated() {
    for (k1, b, avg) in
        [(-1.0, 0.75, 64.0), (f32::NAN, 0.75, 64.0), (1.2, 1.5, 64.0), (1.2, -0.1, 64.0), (1.2, 0.75, 0.0)]
    {
        let err = LexicalEncoder::new(LexicalConfig { k1, b, avg_doc_len: avg, ..LexicalConfig::default() });
        assert!(matches!(err, Err(Error::Config(_))), "k1={k1} b={b} avg={avg}");
    }
    let parsed: LexicalConfig = serde_json::from_str(r#"{"k1": 1.5, "languages": ["cs"]}"#).unwrap();
    assert_eq!(parsed.k1, 1.5);
    assert_eq!(parsed.b, DEFAULT_B);
    assert_eq!(parsed.languages, [Language::Czech]);
    assert!(serde_json::from_str::<LexicalConfig>(r#"{"k": 1.5}"#).is_err());
    assert!(serde_json::from_str::<LexicalConfig>(r#"{"languages": ["de"]}"#).is_err());
}

#[test]
fn identity_names_everything_that_changes_vectors() {
    let id = encoder().id().clone();
    assert_eq!(id.key(), "weir-bm25/cs-en/v1?k1=1.2&b=0.75&avg_len=64");
    let back: LexicalId = id.key().parse().unwrap();
    assert!(back.same_space(&id));
    assert_eq!(back, id);

    let reordered = LexicalEncoder::new(LexicalConfig {
        languages: vec![Language::English, Language::Czech, Language::English],
        ..LexicalConfig::default()
    })
    .unwrap();
    assert!(reordered.id().same_space(&id), "language order does not change tokens");

    let czech =
        LexicalEncoder::new(LexicalConfig { languages: vec![Language::Czech], ..LexicalConfig::default() }).unwrap();
    let none = LexicalEncoder::new(LexicalConfig { languages: vec![], ..LexicalConfig::default() }).unwrap();
    assert_eq!(none.id().key(), "weir-bm25/none/v1?k1=1.2&b=0.75&avg_len=64");
    assert_eq!(none.id().key().parse::<LexicalId>().unwrap(), *none.id());
    for other in
        [czech.id(), none.id(), with(1.5, 0.75, 64.0).id(), with(1.2, 0.5, 64.0).id(), with(1.2, 0.75, 40.0).id()]
    {
        assert!(!other.same_space(&id), "{other}");
    }
    let mut newer = id.clone();
    newer.version += 1;
    assert!(!newer.same_space(&id));
    assert!(newer.key().contains("/v2?"));

    for bad in [
        "",
        "weir-bm25",
        "weir-bm25/cs-en/v1",
        "other/cs-en/v1?k1=1.2&b=0.75&avg_len=64",
        "weir-bm25/cs-de/v1?k1=1.2&b=0.75&avg_len=64",
        "weir-bm25/cs-en/1?k1=1.2&b=0.75&avg_len=64",
        "weir-bm25/cs-en/v1?k1=1.2&b=0.75",
        "weir-bm25/cs-en/v1?k1=1.2&b=0.75&avg_len=64&k1=2",
        "weir-bm25/cs-en/v1?k1=1.2&b=7&avg_len=64",
        "weir-bm25/cs-en/v1/x?k1=1.2&b=0.75&avg_len=64",
    ] {
        assert!(matches!(bad.parse::<LexicalId>(), Err(Error::Config(_))), "{bad}");
    }
}

#[test]
fn guard_refuses_a_different_lexical_space() {
    let id = encoder().id().clone();
    assert!(ensure_lexical_compatible(None, &id).is_ok());
    assert!(ensure_lexical_compatible(Some(&id), &id).is_ok());
    let mut older = id.clone();
    older.version = 0;
    let err = ensure_lexical_compatible(Some(&older), &id).unwrap_err();
    assert!(matches!(err, Error::IncompatibleModel(_)));
    let msg = err.to_string();
    assert!(msg.contains("tokeniser version 0") && msg.contains("Nothing was written"), "{msg}");
    let other = with(1.2, 0.75, 40.0);
    let msg = ensure_lexical_compatible(Some(&id), other.id()).unwrap_err().to_string();
    assert!(msg.contains("BM25 parameters"), "{msg}");
}

/// Twenty products with tricky neighbours: chicken vs turkey vs duck breast, pot vs mug,
/// GN containers of other sizes, two combi ovens one code apart.
const CATALOGUE: &[&str] = &[
    "Kuřecí prsa chlazená, 1 kg, CZ",
    "Krůtí prsa chlazená, 1 kg",
    "Kuřecí stehna mražená, 2,5 kg",
    "Kuřecí vývar, koncentrát 1 l",
    "Chicken breast fillets, frozen, 2 kg",
    "Turkey breast, smoked, sliced, 500 g",
    "Chicken thighs, boneless, frozen",
    "Hrnec nerezový 20 l s poklicí",
    "Hrnek porcelánový 0,3 l, bílý",
    "Stock pot, stainless steel, 20 l, with lid",
    "GN nádoba 1/1 65 mm, nerez",
    "GN nádoba 1/2 100 mm, nerez",
    "Myčka nádobí podstolová, 230 V",
    "Mycí prostředek do myčky nádobí, 10 l",
    "Výrobník ledu 25 kg/24 h",
    "Zmrzlinovač 1,5 l",
    "KON-10023 Konvektomat elektrický 10 × GN 1/1, EAN 8594001234567",
    "KON-10024 Konvektomat elektrický 6 × GN 1/1, EAN 8594001234574",
    "Kachní prsa sous-vide, 400 g",
    "Chef's knife 20 cm, stainless steel",
];

/// Ranks the catalogue for `query` as Qdrant does with `modifier: "idf"`: the query's
/// terms weighted by idf(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5)), dotted with the
/// documents' term-frequency weights.
fn rank(e: &LexicalEncoder, query: &str) -> Vec<usize> {
    let docs: Vec<SparseVector> = CATALOGUE.iter().map(|t| e.document(t)).collect();
    let n = docs.len() as f64;
    let mut q = e.query(query);
    for (index, value) in q.indices.iter().zip(q.values.iter_mut()) {
        let df = docs.iter().filter(|d| d.get(*index).is_some()).count() as f64;
        *value *= (1.0 + (n - df + 0.5) / (df + 0.5)).ln() as f32;
    }
    let mut scored: Vec<(usize, f32)> = docs.iter().enumerate().map(|(i, d)| (i, q.dot(d))).collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().filter(|(_, s)| *s > 0.0).map(|(i, _)| i).collect()
}

#[test]
fn small_catalogue_ranks_the_right_product_first() {
    let e = encoder();
    for (query, best) in [
        ("kureci prsa", 0),
        ("kuřecí prsa", 0),
        ("KUŘECÍ PRSA", 0),
        ("chicken breast", 4),
        ("chicken breasts", 4),
        ("krůtí prsa", 1),
        ("turkey breast", 5),
        ("hrnec 20 l", 7),
        ("hrnek", 8),
        ("GN 1/1 65 mm", 10),
        ("gn nadoba 1/2", 11),
        ("KON-10023", 16),
        ("kon10023", 16),
        ("8594001234567", 16),
        ("8594001234574", 17),
        ("zmrzlinovač", 15),
        ("výrobník ledu", 14),
        ("chef knife", 19),
    ] {
        let ranking = rank(&e, query);
        assert_eq!(ranking.first(), Some(&best), "`{query}` ranked {:?}", &ranking[..ranking.len().min(5)]);
    }
    // The right product wins over its neighbours, and they still show up after it.
    let chicken = rank(&e, "kuřecí prsa");
    assert!(chicken.contains(&1) && chicken.contains(&2), "{chicken:?}");
    // A pot is not a mug: `hrnec` never finds the mug.
    assert!(!rank(&e, "hrnec").contains(&8));
    assert!(rank(&e, "a pro the").is_empty());
}
