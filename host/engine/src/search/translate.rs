//! A term translation learned from the catalogue itself, for the lexical side of a search.
//!
//! An English query shares no word with a product the catalogue names in Czech ("chicken
//! breast" and "Kuřecí prsa chlazená"), and BM25 cannot match what it cannot see. BlueJet
//! holds two names for a product: `name`, the supplier's English name for a share of imported
//! goods, and `nazev`, always the Czech one. Where the two differ they are a parallel corpus,
//! and the words that keep appearing together across it are translations. [`learn`] finds
//! them on the lexical encoder's own terms (folded and stemmed, as the BM25 vectors hold
//! them), so that a query term maps straight to terms the collection has.
//!
//! Tokens on both sides of a pair (brands, sizes, model designations, codes) say nothing
//! about translation and are taken out of that pair first; so are tokens with digits and
//! tokens shorter than three letters (units, size letters), which the user asks for as typed.
//!
//! Two learners, Dice the default by measurement (`docs/BENCHMARKS.md`):
//! - [`Learner::Dice`]: the Dice coefficient of co-occurrence in pairs, keeping a pair of
//!   terms only when each is the other's best match (one translation per term).
//! - [`Learner::Model1`]: IBM Model 1, a few rounds of expectation–maximisation in each
//!   direction. It explains a pair's words away by the words other pairs account for, so
//!   that "fillet" is not translated as "kuřecí" merely because every chicken-breast fillet
//!   is chicken.
//!
//! Nothing is learned from queries or relevance judgments: only from the records a pipeline
//! syncs.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use weir_embed::{LexicalEncoder, token_id};

/// Weight of a translation of strength 1 added to a lexical query (the query's own terms
/// weigh 1.0): below 1, so that what the user typed stays what the ranking is about, and the
/// same as feedback terms weigh. Set before measuring, not tuned.
pub const TRANSLATE_WEIGHT: f32 = 0.5;

/// Most translations kept per term.
pub const MAX_TRANSLATIONS: usize = 3;

/// IBM Model 1: rounds of expectation–maximisation per direction.
pub const MODEL1_ROUNDS: usize = 5;

/// IBM Model 1: the least translation probability kept; below it a word is one of many the
/// term co-occurs with, not its translation.
pub const MODEL1_MIN_PROB: f32 = 0.2;

/// Dice: the fewest pairs two terms must share (one shared pair is a coincidence).
pub const DICE_MIN_PAIRS: u32 = 2;

/// Environment variable naming the learner a run uses (`dice` or `model1`), to compare them
/// on the same catalogue; the default is [`Learner::default`].
pub const LEARNER_ENV: &str = "WEIR_TRANSLATE_LEARNER";

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

/// How term associations are learned from the pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Learner {
    /// Dice coefficient with mutual-best filtering: the default, as it scored as well as IBM
    /// Model 1 on the relevance benchmark's odd-numbered queries (0.790 against 0.791 nDCG@10,
    /// sparse) and is the simpler (`docs/BENCHMARKS.md`).
    #[default]
    Dice,
    /// IBM Model 1, both directions.
    Model1,
}

impl Learner {
    /// The learner [`LEARNER_ENV`] names, else the default.
    pub fn from_env() -> Self {
        match std::env::var(LEARNER_ENV).as_deref().map(str::trim) {
            Ok("dice") => Learner::Dice,
            Ok("model1") => Learner::Model1,
            _ => Learner::default(),
        }
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

/// The terms a side of a pair contributes: the encoder's tokens of at least three letters and
/// without digits, each once, sorted.
fn side_terms(encoder: &LexicalEncoder, text: &str) -> Vec<String> {
    let mut terms: Vec<String> = encoder
        .tokens(text)
        .into_iter()
        .filter(|t| t.chars().count() >= 3 && !t.chars().any(|c| c.is_ascii_digit()))
        .collect();
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// Vocabulary of one side: term ↔ dense index.
#[derive(Default)]
struct Vocab {
    index: HashMap<String, u32>,
    terms: Vec<String>,
}

impl Vocab {
    fn id(&mut self, term: String) -> u32 {
        if let Some(&i) = self.index.get(&term) {
            return i;
        }
        let i = self.terms.len() as u32;
        self.index.insert(term.clone(), i);
        self.terms.push(term);
        i
    }
}

/// A parallel corpus on the encoder's terms: each pair's two sides as term indices, with the
/// terms both sides share removed.
struct Corpus {
    left: Vocab,
    right: Vocab,
    pairs: Vec<(Vec<u32>, Vec<u32>)>,
}

impl Corpus {
    fn new<'a>(encoder: &LexicalEncoder, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut corpus = Corpus { left: Vocab::default(), right: Vocab::default(), pairs: Vec::new() };
        for (a, b) in pairs {
            let (a, b) = (side_terms(encoder, a), side_terms(encoder, b));
            let shared = |t: &String, other: &[String]| other.binary_search(t).is_ok();
            let left: Vec<u32> = a.iter().filter(|t| !shared(t, &b)).map(|t| corpus.left.id(t.clone())).collect();
            let right: Vec<u32> = b.iter().filter(|t| !shared(t, &a)).map(|t| corpus.right.id(t.clone())).collect();
            if !left.is_empty() && !right.is_empty() {
                corpus.pairs.push((left, right));
            }
        }
        corpus
    }
}

/// Learns translations from `pairs` of texts that name the same thing in two languages (one
/// side each), on `encoder`'s terms.
pub fn learn<'a>(
    encoder: &LexicalEncoder,
    learner: Learner,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Translations {
    let corpus = Corpus::new(encoder, pairs);
    let links = match learner {
        Learner::Dice => dice(&corpus),
        Learner::Model1 => {
            let mut links = model1(&corpus.pairs, corpus.left.terms.len(), corpus.right.terms.len(), false);
            links.extend(model1(&corpus.pairs, corpus.right.terms.len(), corpus.left.terms.len(), true));
            links
        }
    };
    // (source side is left, source index, target index, strength)
    let mut map: HashMap<String, Vec<(String, f32)>> = HashMap::new();
    for (from_left, s, t, strength) in links {
        let (src, dst) = if from_left { (&corpus.left, &corpus.right) } else { (&corpus.right, &corpus.left) };
        let list = map.entry(src.terms[s as usize].clone()).or_default();
        let target = &dst.terms[t as usize];
        match list.iter_mut().find(|(u, _)| u == target) {
            Some(existing) => existing.1 = existing.1.max(strength),
            None => list.push((target.clone(), strength)),
        }
    }
    let mut terms: Vec<(String, Vec<(String, f32)>)> = map
        .into_iter()
        .map(|(term, mut list)| {
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(MAX_TRANSLATIONS);
            (term, list)
        })
        .collect();
    terms.sort_by(|a, b| a.0.cmp(&b.0));
    Translations { terms }
}

/// Dice with mutual-best filtering: `(from_left, source, target, strength)` links, both
/// directions, for each pair of terms that are each other's best match and share at least
/// [`DICE_MIN_PAIRS`] pairs.
fn dice(corpus: &Corpus) -> Vec<(bool, u32, u32, f32)> {
    let mut left_n = vec![0u32; corpus.left.terms.len()];
    let mut right_n = vec![0u32; corpus.right.terms.len()];
    let mut joint: HashMap<(u32, u32), u32> = HashMap::new();
    for (l, r) in &corpus.pairs {
        for &a in l {
            left_n[a as usize] += 1;
            for &b in r {
                *joint.entry((a, b)).or_default() += 1;
            }
        }
        for &b in r {
            right_n[b as usize] += 1;
        }
    }
    let score = |(a, b): (u32, u32), n: u32| 2.0 * n as f32 / (left_n[a as usize] + right_n[b as usize]) as f32;
    // Best partner of each term on either side: (score, partner); ties go to the lower index.
    let mut best_left: Vec<Option<(f32, u32)>> = vec![None; left_n.len()];
    let mut best_right: Vec<Option<(f32, u32)>> = vec![None; right_n.len()];
    let better = |cur: Option<(f32, u32)>, s: f32, p: u32| match cur {
        None => true,
        Some((cs, cp)) => s > cs || (s == cs && p < cp),
    };
    for (&(a, b), &n) in &joint {
        if n < DICE_MIN_PAIRS {
            continue;
        }
        let s = score((a, b), n);
        if better(best_left[a as usize], s, b) {
            best_left[a as usize] = Some((s, b));
        }
        if better(best_right[b as usize], s, a) {
            best_right[b as usize] = Some((s, a));
        }
    }
    let mut links = Vec::new();
    for (a, best) in best_left.iter().enumerate() {
        if let Some((s, b)) = *best
            && best_right[b as usize].map(|(_, p)| p) == Some(a as u32)
        {
            links.push((true, a as u32, b, s));
            links.push((false, b, a as u32, s));
        }
    }
    links
}

/// IBM Model 1 from the `source` side to the other (`reverse`: the pairs' right side is the
/// source): `(from_left, source, target, t(target | source))` for each probability of at
/// least [`MODEL1_MIN_PROB`]. Each pair's source side has an empty word that can account for
/// a target word with no translation in it.
fn model1(pairs: &[(Vec<u32>, Vec<u32>)], sources: usize, targets: usize, reverse: bool) -> Vec<(bool, u32, u32, f32)> {
    let null = sources as u32;
    let side = |p: &(Vec<u32>, Vec<u32>)| -> (Vec<u32>, Vec<u32>) {
        let (s, t) = if reverse { (&p.1, &p.0) } else { (&p.0, &p.1) };
        let mut s = s.clone();
        s.push(null);
        (s, t.clone())
    };
    let pairs: Vec<(Vec<u32>, Vec<u32>)> = pairs.iter().map(side).collect();
    // t(target | source), over the pairs of terms that co-occur; uniform to begin with.
    let uniform = 1.0 / targets.max(1) as f64;
    let mut t: HashMap<(u32, u32), f64> = HashMap::new();
    for (s, tg) in &pairs {
        for &a in s {
            for &b in tg {
                t.insert((a, b), uniform);
            }
        }
    }
    for _ in 0..MODEL1_ROUNDS {
        let mut count: HashMap<(u32, u32), f64> = HashMap::with_capacity(t.len());
        let mut total = vec![0f64; sources + 1];
        for (s, tg) in &pairs {
            for &b in tg {
                let z: f64 = s.iter().map(|&a| t.get(&(a, b)).copied().unwrap_or(0.0)).sum();
                if z <= 0.0 {
                    continue;
                }
                for &a in s {
                    let c = t.get(&(a, b)).copied().unwrap_or(0.0) / z;
                    *count.entry((a, b)).or_default() += c;
                    total[a as usize] += c;
                }
            }
        }
        for (k, v) in t.iter_mut() {
            let n = total[k.0 as usize];
            *v = if n > 0.0 { count.get(k).copied().unwrap_or(0.0) / n } else { 0.0 };
        }
    }
    t.into_iter()
        .filter(|&((a, _), p)| a != null && p >= f64::from(MODEL1_MIN_PROB))
        .map(|((a, b), p)| (!reverse, a, b, p as f32))
        .collect()
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

    fn encoder() -> LexicalEncoder {
        LexicalEncoder::new(weir_embed::LexicalConfig::default()).unwrap()
    }

    /// Names as a wholesaler's catalogue holds them: the supplier's English name and the
    /// Czech one, with brands, sizes and models on both sides.
    const PAIRS: &[(&str, &str)] = &[
        ("Chicken breast fillet chilled 2 kg – Vodňanské", "Kuřecí prsa bez kosti chlazená 2 kg Vodňanské"),
        ("Chicken breast fillet IQF 5 kg", "Kuřecí prsa bez kosti mražená 5 kg"),
        ("Chicken wings 5 kg – Vodňanské", "Kuřecí křídla 5 kg Vodňanské"),
        ("Chicken thighs 2,5 kg", "Kuřecí stehna 2,5 kg"),
        ("Turkey breast chilled 1 kg", "Krůtí prsa chlazená 1 kg"),
        ("Turkey wings 3 kg – Raciola", "Krůtí křídla 3 kg Raciola"),
        ("Duck breast IQF 2 kg", "Kachní prsa mražená 2 kg"),
        ("Stock pot 20 l – Tescoma", "Hrnec vysoký 20 l Tescoma"),
        ("Stock pot 50 l", "Hrnec vysoký 50 l"),
        ("Frying pan 28 cm – Tescoma", "Pánev 28 cm Tescoma"),
        ("Frying pan 32 cm", "Pánev 32 cm"),
        ("Ice maker 45 kg/24 h Brema CB 425", "Výrobník ledu Brema CB 425 45 kg/24 h"),
        ("Ice maker 25 kg/24 h Brema CB 246", "Výrobník ledu Brema CB 246 25 kg/24 h"),
    ];

    fn table(learner: Learner) -> Translations {
        learn(&encoder(), learner, PAIRS.iter().copied())
    }

    fn term(w: &str) -> String {
        encoder().tokens(w).pop().unwrap()
    }

    fn first(t: &Translations, w: &str) -> Option<String> {
        t.of(&term(w)).first().map(|(u, _)| u.clone())
    }

    #[test]
    fn both_learners_find_the_word_pairs_both_ways() {
        for learner in [Learner::Dice, Learner::Model1] {
            let t = table(learner);
            for (en, cz) in [("chicken", "kuřecí"), ("turkey", "krůtí"), ("breast", "prsa"), ("wings", "křídla")]
            {
                assert_eq!(first(&t, en), Some(term(cz)), "{learner:?}: {en} → {cz} in {t:#?}");
                assert_eq!(first(&t, cz), Some(term(en)), "{learner:?}: {cz} → {en} in {t:#?}");
            }
            // "frying pan" is two words for one: Dice keeps one of them (one-to-one).
            let pan = first(&t, "pánev");
            assert!(pan == Some(term("pan")) || pan == Some(term("frying")), "{learner:?}: {t:#?}");
            for (_, list) in &t.terms {
                assert!(list.len() <= MAX_TRANSLATIONS);
                assert!(list.iter().all(|(_, s)| *s > 0.0 && *s <= 1.0 + 1e-6), "{list:?}");
                assert!(list.windows(2).all(|w| w[0].1 >= w[1].1), "strongest first: {list:?}");
            }
        }
    }

    #[test]
    fn tokens_on_both_sides_are_not_translations() {
        for learner in [Learner::Dice, Learner::Model1] {
            let t = table(learner);
            // Brands and models appear on both sides of their pairs: never a term or a
            // translation.
            for shared in ["Vodňanské", "Tescoma", "Raciola", "Brema"] {
                let s = term(shared);
                assert!(t.of(&s).is_empty(), "{learner:?}: {shared} has translations: {t:#?}");
                assert!(
                    t.terms.iter().all(|(_, list)| list.iter().all(|(u, _)| *u != s)),
                    "{learner:?}: {shared} is a translation: {t:#?}"
                );
            }
            // Sizes and units (digits, fewer than three letters) neither.
            assert!(t.terms.iter().all(|(w, _)| w.chars().count() >= 3 && !w.chars().any(|c| c.is_ascii_digit())));
        }
    }

    #[test]
    fn model1_explains_a_word_away_by_the_words_other_pairs_account_for() {
        let t = table(Learner::Model1);
        // Every chicken-breast fillet is chicken, but "kuřecí" is accounted for by "chicken"
        // in the other chicken pairs: "fillet" goes to the words only fillets have.
        let fillet = t.of(&term("fillet"));
        assert!(fillet.iter().all(|(u, _)| *u != term("kuřecí") && *u != term("prsa")), "{fillet:?}");
    }

    #[test]
    fn identical_names_and_nothing_teach_nothing() {
        let e = encoder();
        for learner in [Learner::Dice, Learner::Model1] {
            let same = [("Hrnec 20 l Tescoma", "Hrnec 20 l Tescoma"), ("Pánev 28 cm", "Pánev 28 cm")];
            assert!(learn(&e, learner, same).is_empty());
            assert!(learn(&e, learner, std::iter::empty()).is_empty());
        }
    }

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
