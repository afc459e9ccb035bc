//! The generated product catalogue (types, names, codes, EANs, descriptions) and the graded
//! query set of the relevance benchmark evaluated over it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};

use bluejet_sim::catalog;
use bluejet_sim::relevance::{self, BENCH_PRODUCTS, BENCH_SEED, QueryKind};
use bluejet_sim::{BlueJetSim, ProductInfo, Sizes};

fn products(n: usize, seed: u64) -> Vec<ProductInfo> {
    let sizes = Sizes { products: n, ..Sizes::EMPTY };
    BlueJetSim::builder().sizes(sizes).seed(seed).generate().unwrap().products()
}

fn ean_valid(ean: &str) -> bool {
    let d: Vec<u32> = ean.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 13 || ean.len() != 13 {
        return false;
    }
    let sum: u32 = d[..12].iter().enumerate().map(|(i, x)| x * if i % 2 == 0 { 1 } else { 3 }).sum();
    (10 - sum % 10) % 10 == d[12]
}

#[test]
fn the_catalogue_has_hundreds_of_types_in_groups() {
    let types = catalog::types();
    assert!(types.len() >= 300, "{} types", types.len());
    let ids: HashSet<&str> = types.iter().map(|t| t.ty.id).collect();
    assert_eq!(ids.len(), types.len(), "type ids are unique");
    assert!(ids.iter().all(|id| id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
    let codes: HashSet<&str> = catalog::GROUPS.iter().map(|g| g.code).collect();
    assert_eq!(codes.len(), catalog::GROUPS.len(), "one code prefix per group");
    for t in types {
        assert!(!t.ty.sizes.is_empty() && t.ty.price.0 > 0.0 && t.ty.price.0 < t.ty.price.1, "{}", t.ty.id);
        assert!(t.ty.text.ends_with('.'), "{}", t.ty.id);
        assert_eq!(catalog::type_by_id(t.ty.id).unwrap().index, t.index);
    }
    // the neighbours a search must tell apart are all there
    for id in ["vyrobnik-ledu", "zmrzlinovac", "mycka-podstolova", "mycka-prostredek", "kure-prsa", "kruti-prsa"] {
        assert!(ids.contains(id), "{id}");
    }
}

#[test]
fn live_catalogue_codes_and_eans_are_unique_and_valid_and_every_type_is_present() {
    let all = products(Sizes::LIVE.products, BENCH_SEED);
    assert_eq!(all.len(), 109_253);
    let codes: HashSet<&str> = all.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    let eans: HashSet<&str> = all.iter().map(|p| p.ean.as_str()).collect();
    assert_eq!(eans.len(), all.len(), "EANs are unique");
    for p in &all {
        assert!(ean_valid(&p.ean), "EAN check digit {}", p.ean);
        let (prefix, digits) = p.code.split_once('-').unwrap();
        assert_eq!(prefix, p.ty.group.code, "{}", p.code);
        assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()), "{}", p.code);
        assert!(p.ty.ty.sizes.contains(&p.size.as_str()), "{} {}", p.type_id(), p.size);
    }
    let czech = all.iter().filter(|p| p.ean.starts_with("859")).count() as f64 / all.len() as f64;
    assert!((0.25..0.45).contains(&czech), "Czech EAN prefix share {czech}");
    let present: HashSet<u32> = all.iter().map(|p| p.ty.index).collect();
    assert_eq!(present.len(), catalog::types().len(), "every type is generated at the live size");
    // English-named share: between 15 % and 35 % of the catalogue (documented in the README)
    let english = all.iter().filter(|p| p.english).count() as f64 / all.len() as f64;
    assert!((0.15..=0.35).contains(&english), "English-named share {english}");
}

#[test]
fn names_descriptions_and_the_name_nazev_pair() {
    let all = products(BENCH_PRODUCTS, BENCH_SEED);
    let diacritics = |s: &str| s.chars().any(|c| "áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ".contains(c));
    for p in &all {
        // nazev is always the Czech name, name the catalogue name: Czech, or English for imports
        assert!(p.nazev.starts_with(p.ty.ty.cz), "{} / {}", p.nazev, p.ty.ty.cz);
        assert!(p.nazev.contains(&p.size), "{} lacks {}", p.nazev, p.size);
        if p.english {
            assert!(p.name.contains(p.ty.ty.en), "{} / {}", p.name, p.ty.ty.en);
        } else {
            assert_eq!(p.name, p.nazev);
        }
    }
    let with_diacritics = all.iter().filter(|p| diacritics(&p.nazev)).count();
    assert!(with_diacritics * 10 > all.len() * 7, "{with_diacritics} of {} Czech names carry diacritics", all.len());

    let store = BlueJetSim::builder().sizes(Sizes { products: BENCH_PRODUCTS, ..Sizes::EMPTY }).generate().unwrap();
    let e = store.evidence(217).unwrap();
    let mut sentences: BTreeMap<usize, usize> = BTreeMap::new();
    for pos in 0..e.len() {
        let r = e.record_json(pos, store.date_format).unwrap();
        let d = r["description"].as_str().unwrap();
        let n = d.matches(". ").count() + usize::from(d.ends_with('.'));
        *sentences.entry(n).or_default() += 1;
        assert!(d.chars().count() < 700, "{d}");
    }
    // one to four sentences (a "Velikost: … Materiál: …" line counts as two), a few empty
    assert!(sentences.get(&0).is_some_and(|&n| n > 0 && n < e.len() / 10), "{sentences:?}");
    assert!(sentences.range(1..=2).map(|(_, n)| n).sum::<usize>() > e.len() / 4, "{sentences:?}");
    assert!(sentences.range(4..).map(|(_, n)| n).sum::<usize>() > e.len() / 10, "{sentences:?}");
    assert!(sentences.keys().all(|&n| n <= 6), "{sentences:?}");
}

#[test]
fn same_seed_same_catalogue_other_seed_other_catalogue() {
    let key =
        |p: &ProductInfo| (p.key.clone(), p.code.clone(), p.ean.clone(), p.name.clone(), p.ty.index, p.size.clone());
    let a: Vec<_> = products(1_500, 9).iter().map(key).collect();
    let b: Vec<_> = products(1_500, 9).iter().map(key).collect();
    let c: Vec<_> = products(1_500, 10).iter().map(key).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
    // a smaller catalogue of the same seed is a prefix of the larger one (by generation order)
    let small: HashSet<String> = products(500, 9).into_iter().map(|p| p.code).collect();
    let large: HashSet<String> = products(1_500, 9).into_iter().map(|p| p.code).collect();
    assert!(small.is_subset(&large));
}

#[test]
fn query_rules_name_existing_types_and_sizes() {
    relevance::check_rules().unwrap();
    assert!(relevance::QUERIES.len() + relevance::CODE_QUERIES + relevance::EAN_QUERIES >= 80);
}

#[test]
fn every_query_has_a_grade_3_product_in_the_benchmark_catalogue() {
    let all = products(BENCH_PRODUCTS, BENCH_SEED);
    let present: HashSet<u32> = all.iter().map(|p| p.ty.index).collect();
    assert!(present.len() >= 300, "{} types in the benchmark catalogue", present.len());
    let judged = relevance::judge(&all);
    assert!(judged.len() >= 80, "{} queries", judged.len());
    let by_key: HashMap<&str, &ProductInfo> = all.iter().map(|p| (p.key.as_str(), p)).collect();
    let mut per_kind: BTreeMap<QueryKind, usize> = BTreeMap::new();
    let empty: Vec<&str> = judged.iter().filter(|q| q.count_at_least(3) == 0).map(|q| q.id.as_str()).collect();
    assert!(empty.is_empty(), "queries without a grade-3 product: {empty:?}");
    for q in &judged {
        *per_kind.entry(q.kind).or_default() += 1;
        assert!(q.judgments.values().all(|g| (1..=3).contains(g)));
        assert!(q.judgments.keys().all(|k| by_key.contains_key(k.as_str())));
        let ideal = q.ideal_grades();
        assert!(ideal.windows(2).all(|w| w[0] >= w[1]));
    }
    for kind in QueryKind::ALL {
        assert!(per_kind.get(&kind).is_some_and(|&n| n >= 8), "{kind:?}: {per_kind:?}");
    }
    // code and EAN queries name one product each, the one that carries that code or EAN
    for q in judged.iter().filter(|q| matches!(q.kind, QueryKind::Code | QueryKind::Ean)) {
        assert_eq!(q.judgments.len(), 1, "{}", q.id);
        let p = by_key[q.judgments.keys().next().unwrap().as_str()];
        let want = if q.kind == QueryKind::Code { p.code.to_lowercase() } else { p.ean.clone() };
        assert_eq!(q.text.to_lowercase(), want, "{}", q.id);
    }
    let targets: HashSet<&String> = judged
        .iter()
        .filter(|q| matches!(q.kind, QueryKind::Code | QueryKind::Ean))
        .flat_map(|q| q.judgments.keys())
        .collect();
    assert_eq!(targets.len(), relevance::CODE_QUERIES + relevance::EAN_QUERIES, "distinct targets");
    assert!(judged.iter().any(|q| q.kind == QueryKind::Code && q.text.chars().any(|c| c.is_ascii_lowercase())));
}

#[test]
fn judgments_follow_the_product_attributes() {
    let all = products(BENCH_PRODUCTS, BENCH_SEED);
    let judged = relevance::judge(&all);
    let q = |id: &str| judged.iter().find(|q| q.id == id).unwrap();
    // GN 1/1 65 mm: exactly the GN 1/1 pans of depth 65 are grade 3, other depths grade 1,
    // GN 1/2 of the same depth nothing
    let gn = q("attr-gn-11-65");
    for p in all.iter().filter(|p| p.type_id().starts_with("gn-") && !p.type_id().contains("vicko")) {
        let g = gn.grade(&p.key);
        match p.size.as_str() {
            "GN 1/1 65 mm" => assert_eq!(g, 3, "{}", p.name),
            s if s.starts_with("GN 1/1 ") && p.type_id() != "gn-termobox" && p.type_id() != "gn-vozik" => {
                assert!(g == 1 || p.type_id() == "gn-mrizka", "{} {g}", p.name)
            }
            _ => assert_eq!(g, 0, "{}", p.name),
        }
    }
    // chicken breast: turkey breast is a neighbour, ice makers and detergents are not
    let chicken = q("en-chicken-breast");
    for p in &all {
        let want = match p.type_id() {
            "kure-prsa" | "kure-prsa-iqf" => 3,
            "kruti-prsa" | "kachni-prsa" | "kure-stripsy" => 1,
            _ => 0,
        };
        assert_eq!(chicken.grade(&p.key), want, "{}", p.name);
    }
    // an ice maker is not an ice-cream machine, a dishwasher is not its detergent
    let ice = q("en-ice-maker");
    let dish = q("en-dishwasher");
    for p in &all {
        if p.type_id() == "zmrzlinovac" {
            assert_eq!(ice.grade(&p.key), 0);
        }
        if p.type_id() == "mycka-prostredek" {
            assert_eq!(dish.grade(&p.key), 0);
        }
    }
    // the same queries judged twice over the same catalogue agree
    assert_eq!(judged, relevance::judge(&all));
}
