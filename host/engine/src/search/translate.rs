//! A term translation learned from the catalogue itself, for the lexical side of a search.
//!
//! An English query shares no word with a product the catalogue names in Czech ("chicken
//! breast" and "Kuřecí prsa chlazená"), and BM25 cannot match what it cannot see. BlueJet
//! holds two names for a product: `name`, the supplier's English name for a share of imported
//! goods, and `nazev`, always the Czech one. Where the two differ they are a parallel corpus,
//! and the words that keep appearing together across it are translations.
//! [`super::learn`] finds them on the lexical encoder's own terms (folded and stemmed, as the
//! BM25 vectors hold them), so that a query term maps straight to terms the collection has;
//! this module holds the table and what a search does with it.
//!
//! Nothing is learned from queries or relevance judgments: only from the records a pipeline
//! syncs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use weir_embed::token_id;

/// Weight of a translation of strength 1 added to a lexical query (the query's own terms
/// weigh 1.0): below 1, so that what the user typed stays what the ranking is about, and the
/// same as feedback terms weigh. Set before measuring, not tuned.
pub const TRANSLATE_WEIGHT: f32 = 0.5;

/// Environment variable: the weight of a translation of strength 1 (0 < w ≤ 1), to compare
/// weights on the same collection; default [`TRANSLATE_WEIGHT`].
pub const WEIGHT_ENV: &str = "WEIR_TRANSLATE_WEIGHT";

/// The weight [`WEIGHT_ENV`] sets, else [`TRANSLATE_WEIGHT`].
pub fn translate_weight() -> f32 {
    std::env::var(WEIGHT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f32>().ok())
        .filter(|w| *w > 0.0 && *w <= 1.0)
        .unwrap_or(TRANSLATE_WEIGHT)
}

/// Environment variable: how searches use the learned table, to compare rankings on the same
/// collection (the relevance benchmark does): `off` (without it), `add` or `fuse` (see
/// [`Use`]); anything else, or unset, is the default.
pub const TRANSLATE_ENV: &str = "WEIR_SEARCH_TRANSLATE";

/// How a search uses a query's translations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Use {
    /// Added to the lexical query at [`translate_weight`] × their strength: one ranking. The
    /// query's own words keep the collection's IDF, which weighs an English word (only
    /// English-named products carry it) far above its Czech translation.
    #[default]
    Add,
    /// Added as with `Add`, each weighed also by its source term's IDF over its own
    /// ([`Translations::by_id_idf`]), so that a translation adds to a product's score what its
    /// source term adds to another's.
    Idf,
    /// Searched on their own (the lexical side with the translations alone, strength-weighted)
    /// and that ranking fused by rank with the query's own ([`FUSE_RRF_K`]): a product the
    /// translations find is ranked by its place among theirs, whatever the IDF of the words.
    Fuse,
}

/// Reciprocal rank fusion's constant for [`Use::Fuse`] (weight / (k + rank)), the usual 60;
/// set before measuring. The translations' ranking weighs [`translate_weight`] against the
/// query's own 1.
pub const FUSE_RRF_K: f32 = 60.0;

/// How searches use the learned table: `None` when [`TRANSLATE_ENV`] is `off`.
pub fn translate_use() -> Option<Use> {
    match std::env::var(TRANSLATE_ENV).as_deref().map(str::trim) {
        Ok("off") => None,
        Ok("add") => Some(Use::Add),
        Ok("fuse") => Some(Use::Fuse),
        Ok("idf") => Some(Use::Idf),
        _ => Some(Use::default()),
    }
}

/// Learned translations: for each term (the lexical encoder's token), its translations with
/// their strength in (0, 1], strongest first. Both directions in one map: a Czech term maps to
/// English terms and an English one to Czech terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Translations {
    /// `term → [(translation, strength)]`, sorted by term.
    pub terms: Vec<(String, Vec<(String, f32)>)>,
}

impl Translations {
    /// The translations of `term`, strongest first (none when it has none).
    #[cfg(test)]
    pub fn of(&self, term: &str) -> &[(String, f32)] {
        match self.terms.binary_search_by(|(t, _)| t.as_str().cmp(term)) {
            Ok(i) => &self.terms[i].1,
            Err(_) => &[],
        }
    }

    /// Number of terms with translations.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether no term has a translation.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The lexical index of each term with its translations' indices and strengths, for
    /// expanding query vectors.
    pub fn by_id(&self) -> HashMap<u32, Vec<(u32, f32)>> {
        self.terms
            .iter()
            .map(|(t, list)| (token_id(t), list.iter().map(|(u, s)| (token_id(u), *s)).collect()))
            .collect()
    }

    /// [`Translations::by_id`], each strength multiplied by idf(term) / idf(translation) over
    /// `docs` records with the document frequencies `df` (BM25's IDF as the collection's sparse
    /// vectors use it, ln(1 + (N − n + 0.5) / (n + 0.5))). An English word is rarer than its
    /// Czech translation (only English-named products carry it): at the same weight the
    /// translation would add far less to a Czech-named product's score than the word adds to
    /// an English-named one's, and the reverse for a Czech query. A term missing from `df`
    /// counts as in no record.
    pub fn by_id_idf(&self, docs: u32, df: &BTreeMap<String, u32>) -> HashMap<u32, Vec<(u32, f32)>> {
        let n = f64::from(docs);
        let idf = |t: &str| {
            let d = f64::from(df.get(t).copied().unwrap_or(0)).min(n);
            (1.0 + (n - d + 0.5) / (d + 0.5)).ln()
        };
        self.terms
            .iter()
            .map(|(t, list)| {
                let from = idf(t);
                let weighted = list
                    .iter()
                    .map(|(u, s)| {
                        let to = idf(u);
                        let ratio = if to > 0.0 { from / to } else { 1.0 };
                        (token_id(u), *s * ratio as f32)
                    })
                    .collect();
                (token_id(t), weighted)
            })
            .collect()
    }
}

/// The translations of a lexical query's terms not already in it ([`translations_lacking`]).
pub fn translation_terms(table: &HashMap<u32, Vec<(u32, f32)>>, query: &[u32], weight: f32) -> Vec<(u32, f32)> {
    translations_lacking(table, query, query, weight)
}

/// The translations of the terms `from` not in `held` (sorted ids): `(term id, weight)` with
/// weight `weight` × strength (the strongest when several terms give the same one), by id.
pub fn translations_lacking(
    table: &HashMap<u32, Vec<(u32, f32)>>,
    from: &[u32],
    held: &[u32],
    weight: f32,
) -> Vec<(u32, f32)> {
    let mut added: HashMap<u32, f32> = HashMap::new();
    for id in from {
        for &(to, strength) in table.get(id).map(Vec::as_slice).unwrap_or_default() {
            if held.binary_search(&to).is_ok() {
                continue;
            }
            let w = weight * strength;
            let e = added.entry(to).or_insert(0.0);
            *e = e.max(w);
        }
    }
    let mut out: Vec<(u32, f32)> = added.into_iter().collect();
    out.sort_unstable_by_key(|p| p.0);
    out
}

/// Weighted reciprocal rank fusion of `rankings` (each best first, by id, with its weight) for
/// [`Use::Fuse`]: each item scores the sum of weight / ([`FUSE_RRF_K`] + rank) over the
/// rankings that hold it (rank from 1), best first; ties keep the order of the first ranking
/// that holds them, the earlier ranking first. Each item comes once, with the first ranking's
/// copy of it.
pub fn fuse_by_rank<T>(rankings: Vec<(Vec<T>, f32)>, id: impl Fn(&T) -> &str) -> Vec<(T, f32)> {
    // (score, ranking of the kept copy, rank there)
    let mut fused: Vec<(T, f32, usize, usize)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (r, (ranking, weight)) in rankings.into_iter().enumerate() {
        for (rank, item) in ranking.into_iter().enumerate() {
            let score = weight / (FUSE_RRF_K + (rank + 1) as f32);
            match at.get(id(&item)) {
                Some(&i) => fused[i].1 += score,
                None => {
                    at.insert(id(&item).to_owned(), fused.len());
                    fused.push((item, score, r, rank));
                }
            }
        }
    }
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    fused.into_iter().map(|(item, score, _, _)| (item, score)).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn query_terms_get_their_translations_at_a_lower_weight_once() {
        let mut table = HashMap::new();
        table.insert(1, vec![(10, 1.0), (11, 0.5)]);
        table.insert(2, vec![(10, 0.6), (3, 0.8)]);
        // Term 3 is in the query already: not added again; 10 keeps its stronger link.
        let added = translation_terms(&table, &[1, 2, 3], TRANSLATE_WEIGHT);
        assert_eq!(added, vec![(10, TRANSLATE_WEIGHT), (11, TRANSLATE_WEIGHT * 0.5)]);
        assert!(translation_terms(&table, &[7], TRANSLATE_WEIGHT).is_empty());
    }

    #[test]
    fn rank_fusion_puts_what_both_rankings_hold_first_and_keeps_each_item_once() {
        let own = vec!["en-chicken", "en-turkey", "en-duck"];
        let translated = vec!["cz-chicken", "en-chicken", "cz-chicken-2"];
        let fused = fuse_by_rank(vec![(own.clone(), 1.0), (translated.clone(), 1.0)], |s| s);
        let order: Vec<&str> = fused.iter().map(|(s, _)| *s).collect();
        // In both: first. Then rank 1 of the translations (1/61) above rank 2 of the query's
        // own (1/62); equal ranks tie, the first ranking's item first.
        assert_eq!(order, ["en-chicken", "cz-chicken", "en-turkey", "en-duck", "cz-chicken-2"]);
        let score = |id: &str| fused.iter().find(|(s, _)| *s == id).map(|p| p.1).unwrap();
        assert!((score("en-chicken") - (1.0 / 61.0 + 1.0 / 62.0)).abs() < 1e-7);
        assert!((score("en-duck") - score("cz-chicken-2")).abs() < 1e-7);
        // Weighed at half, the translations' first (1/122) goes under the query's own third
        // (1/63) and over nothing else of its own.
        let half = fuse_by_rank(vec![(own, 1.0), (translated, 0.5)], |s| s);
        let order: Vec<&str> = half.iter().map(|(s, _)| *s).collect();
        assert_eq!(order, ["en-chicken", "en-turkey", "en-duck", "cz-chicken", "cz-chicken-2"]);
        assert!(fuse_by_rank(Vec::<(Vec<&str>, f32)>::new(), |s| s).is_empty());
    }

    #[test]
    fn idf_weights_make_a_translation_add_what_its_source_term_adds() {
        let t = Translations {
            terms: vec![
                ("breast".into(), vec![("prs".into(), 0.9)]),
                ("prs".into(), vec![("breast".into(), 0.9)]),
                ("rare".into(), vec![("unseen".into(), 1.0)]),
            ],
        };
        let df: BTreeMap<String, u32> = [("breast".into(), 15), ("prs".into(), 60)].into_iter().collect();
        let docs = 5000;
        let idf = |n: f64| (1.0 + (5000.0 - n + 0.5) / (n + 0.5)).ln();
        let by_id = t.by_id_idf(docs, &df);
        let of = |from: &str| by_id[&token_id(from)][0].1;
        // The English word (rarer) lends its translation its own IDF: up from 0.9 ...
        let up = 0.9 * (idf(15.0) / idf(60.0)) as f32;
        assert!((of("breast") - up).abs() < 1e-5 && of("breast") > 0.9, "{}", of("breast"));
        // ... and the Czech word (commoner) gets an English translation weighed down.
        let down = 0.9 * (idf(60.0) / idf(15.0)) as f32;
        assert!((of("prs") - down).abs() < 1e-5 && of("prs") < 0.9, "{}", of("prs"));
        // A term the counts miss counts as in no record: the rarest there is.
        assert!((of("rare") - (idf(0.0) / idf(0.0)) as f32).abs() < 1e-6);
        // Without counts the strengths are as learned.
        assert_eq!(t.by_id()[&token_id("breast")][0].1, 0.9);
    }
}
