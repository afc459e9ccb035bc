//! Learning term translations from a catalogue's name pairs ([`super::translate`] says why and
//! how searches use them).
//!
//! Tokens on both sides of a pair (brands, sizes, model designations, codes) say nothing
//! about translation and are taken out of that pair first; so are words with digits and
//! words of fewer than three letters as written (units, size letters), which the user asks
//! for as typed.
//!
//! Three learners, chosen by [`LEARNER_ENV`]; the default is [`Learner::default`], by
//! measurement (`docs/BENCHMARKS.md`):
//! - [`Learner::Dice`]: the Dice coefficient of co-occurrence in pairs, keeping a pair of
//!   terms only when each is the other's best match (one translation per term).
//! - [`Learner::Model1`]: IBM Model 1, a few rounds of expectation–maximisation in each
//!   direction. It explains a pair's words away by the words other pairs account for, so
//!   that "fillet" is not translated as "kuřecí" merely because every chicken-breast fillet
//!   is chicken.
//! - [`Learner::Links`]: competitive linking. Within each pair, the two sides' terms are
//!   linked one to one, the most associated (Dice) first; a term pair is kept when it is
//!   linked in enough pairs. A term gets every translation it is linked to in its own
//!   contexts: "tenderloin" is "panenka" beside "pork" and "svíčková" beside "beef", where
//!   the mutual best match keeps at most one of them (none, when "panenka" goes with "pork"
//!   more often than with "tenderloin").
//!
//! Nothing is learned from queries or relevance judgments: only from the records a pipeline
//! syncs.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use weir_embed::LexicalEncoder;

use super::translate::Translations;

/// Most translations kept per term.
pub const MAX_TRANSLATIONS: usize = 3;

/// IBM Model 1: rounds of expectation–maximisation per direction.
pub const MODEL1_ROUNDS: usize = 5;

/// IBM Model 1: the least translation probability kept; below it a word is one of many the
/// term co-occurs with, not its translation.
pub const MODEL1_MIN_PROB: f32 = 0.2;

/// Dice: the fewest pairs two terms must share (one shared pair is a coincidence).
pub const DICE_MIN_PAIRS: u32 = 2;

/// Competitive linking: the least share of the pairs holding both terms in which they are
/// linked to each other for the link to be kept (below it they are linked now and then, when
/// a pair has nothing better). Set before measuring, not tuned.
pub const LINKS_MIN_SHARE: f32 = 0.5;

/// Environment variable naming the learner a run uses (`dice`, `model1` or `links`), to
/// compare them on the same catalogue; the default is [`Learner::default`].
pub const LEARNER_ENV: &str = "WEIR_TRANSLATE_LEARNER";

/// Environment variable: `stems` measures a word's length by its stem (the rule before
/// [`Short::Words`]: "ice", stemmed `ic`, was left out), to compare tables on one catalogue;
/// anything else, or unset, is [`Short::Words`].
pub const SHORT_ENV: &str = "WEIR_TRANSLATE_SHORT";

/// How a learner tells the words too short to learn (units, size letters) from the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Short {
    /// A term is learned when the word it comes from, as written, has three letters or more.
    #[default]
    Words,
    /// A term is learned when it (the stem) has three letters or more.
    Stems,
}

impl Short {
    /// The rule [`SHORT_ENV`] names, else the default.
    pub fn from_env() -> Self {
        match std::env::var(SHORT_ENV).as_deref().map(str::trim) {
            Ok("stems") => Short::Stems,
            _ => Short::default(),
        }
    }
}

/// How term associations are learned from the pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Learner {
    /// Dice coefficient with mutual-best filtering (the default until competitive linking
    /// was measured; it had scored as well as IBM Model 1 and is the simpler).
    Dice,
    /// IBM Model 1, both directions.
    Model1,
    /// Competitive linking within each pair, on Dice's association: the default, as it
    /// lifted hybrid RRF nDCG@10 over the relevance benchmark's odd-numbered queries by 0.013
    /// against Dice and cross-language recall@10 from 0.63 to 0.74 (`docs/BENCHMARKS.md`).
    #[default]
    Links,
}

impl Learner {
    /// The learner [`LEARNER_ENV`] names, else the default.
    pub fn from_env() -> Self {
        std::env::var(LEARNER_ENV).ok().and_then(|v| Self::named(&v)).unwrap_or_default()
    }

    /// The learner called `name` (`dice`, `model1`, `links`), if any.
    pub fn named(name: &str) -> Option<Self> {
        match name.trim() {
            "dice" => Some(Learner::Dice),
            "model1" => Some(Learner::Model1),
            "links" => Some(Learner::Links),
            _ => None,
        }
    }
}

/// The terms a side of a pair contributes, each once, sorted: the encoder's tokens of the
/// words without digits that are long enough by `short`'s rule.
fn side_terms(encoder: &LexicalEncoder, text: &str, short: Short) -> Vec<String> {
    let no_digit = |t: &str| !t.chars().any(|c| c.is_ascii_digit());
    let mut terms: Vec<String> = match short {
        Short::Stems => encoder.tokens(text).into_iter().filter(|t| t.chars().count() >= 3 && no_digit(t)).collect(),
        Short::Words => text
            .split_whitespace()
            .filter(|w| no_digit(w) && w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
            .flat_map(|w| encoder.tokens(w))
            .collect(),
    };
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
    fn new<'a>(encoder: &LexicalEncoder, short: Short, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut corpus = Corpus { left: Vocab::default(), right: Vocab::default(), pairs: Vec::new() };
        for (a, b) in pairs {
            let (a, b) = (side_terms(encoder, a, short), side_terms(encoder, b, short));
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
/// side each), on `encoder`'s terms, leaving out the words too short by `short`'s rule.
pub fn learn<'a>(
    encoder: &LexicalEncoder,
    learner: Learner,
    short: Short,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Translations {
    let corpus = Corpus::new(encoder, short, pairs);
    let links = match learner {
        Learner::Dice => dice(&corpus),
        Learner::Links => links(&corpus),
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
    let counts = Counts::of(corpus);
    // Best partner of each term on either side: (score, partner); ties go to the lower index.
    let mut best_left: Vec<Option<(f32, u32)>> = vec![None; counts.left.len()];
    let mut best_right: Vec<Option<(f32, u32)>> = vec![None; counts.right.len()];
    let better = |cur: Option<(f32, u32)>, s: f32, p: u32| match cur {
        None => true,
        Some((cs, cp)) => s > cs || (s == cs && p < cp),
    };
    for (&(a, b), &n) in &counts.joint {
        if n < DICE_MIN_PAIRS {
            continue;
        }
        let s = counts.dice(a, b, n);
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

/// How often each term of either side, and each pair of terms across the sides, occurs in
/// the corpus's pairs.
struct Counts {
    left: Vec<u32>,
    right: Vec<u32>,
    joint: HashMap<(u32, u32), u32>,
}

impl Counts {
    fn of(corpus: &Corpus) -> Self {
        let mut counts = Counts {
            left: vec![0; corpus.left.terms.len()],
            right: vec![0; corpus.right.terms.len()],
            joint: HashMap::new(),
        };
        for (l, r) in &corpus.pairs {
            for &a in l {
                counts.left[a as usize] += 1;
                for &b in r {
                    *counts.joint.entry((a, b)).or_default() += 1;
                }
            }
            for &b in r {
                counts.right[b as usize] += 1;
            }
        }
        counts
    }

    /// The Dice coefficient of left term `a` and right term `b` found together `n` times.
    fn dice(&self, a: u32, b: u32, n: u32) -> f32 {
        2.0 * n as f32 / (self.left[a as usize] + self.right[b as usize]) as f32
    }
}

/// Competitive linking: `(from_left, source, target, strength)` links, both directions. In
/// each pair, every left term is linked to at most one right term and the other way round,
/// the pairs of terms with the highest Dice coefficient over the whole corpus first (ties by
/// index). A pair of terms is kept when it was linked in at least [`DICE_MIN_PAIRS`] pairs and
/// in at least [`LINKS_MIN_SHARE`] of the pairs holding both; its strength is the Dice
/// coefficient of its links, 2 × links / (occurrences of one + of the other): a term with two
/// translations, each in its own contexts, gets both, each weaker than a sole one.
fn links(corpus: &Corpus) -> Vec<(bool, u32, u32, f32)> {
    let counts = Counts::of(corpus);
    let mut linked: HashMap<(u32, u32), u32> = HashMap::new();
    let mut candidates: Vec<(f32, u32, u32)> = Vec::new();
    let (mut taken_left, mut taken_right) = (Vec::new(), Vec::new());
    for (l, r) in &corpus.pairs {
        candidates.clear();
        for &a in l {
            for &b in r {
                let n = counts.joint.get(&(a, b)).copied().unwrap_or(0);
                candidates.push((counts.dice(a, b, n), a, b));
            }
        }
        candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        taken_left.clear();
        taken_right.clear();
        for &(_, a, b) in &candidates {
            if !taken_left.contains(&a) && !taken_right.contains(&b) {
                taken_left.push(a);
                taken_right.push(b);
                *linked.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut out = Vec::new();
    for ((a, b), k) in linked {
        let together = counts.joint.get(&(a, b)).copied().unwrap_or(k);
        if k >= DICE_MIN_PAIRS && k as f32 >= LINKS_MIN_SHARE * together as f32 {
            let s = counts.dice(a, b, k);
            out.push((true, a, b, s));
            out.push((false, b, a, s));
        }
    }
    out
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
        learn(&encoder(), learner, Short::Words, PAIRS.iter().copied())
    }

    fn term(w: &str) -> String {
        encoder().tokens(w).pop().unwrap()
    }

    fn first(t: &Translations, w: &str) -> Option<String> {
        t.of(&term(w)).first().map(|(u, _)| u.clone())
    }

    #[test]
    fn every_learner_finds_the_word_pairs_both_ways() {
        for learner in [Learner::Dice, Learner::Model1, Learner::Links] {
            let t = table(learner);
            for (en, cz) in [("chicken", "kuřecí"), ("turkey", "krůtí"), ("breast", "prsa"), ("wings", "křídla")]
            {
                assert_eq!(first(&t, en), Some(term(cz)), "{learner:?}: {en} → {cz} in {t:#?}");
                assert_eq!(first(&t, cz), Some(term(en)), "{learner:?}: {cz} → {en} in {t:#?}");
            }
            // "frying pan" is two words for one: each learner keeps at least one of them.
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
        for learner in [Learner::Dice, Learner::Model1, Learner::Links] {
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
            // Sizes and units (digits, words of fewer than three letters) neither.
            for unit in ["kg", "cm", "l", "h"] {
                assert!(t.of(unit).is_empty(), "{learner:?}: {unit} has translations: {t:#?}");
            }
            assert!(t.terms.iter().all(|(w, list)| {
                std::iter::once(w).chain(list.iter().map(|(u, _)| u)).all(|x| !x.chars().any(|c| c.is_ascii_digit()))
            }));
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
        for learner in [Learner::Dice, Learner::Model1, Learner::Links] {
            let same = [("Hrnec 20 l Tescoma", "Hrnec 20 l Tescoma"), ("Pánev 28 cm", "Pánev 28 cm")];
            assert!(learn(&e, learner, Short::Words, same).is_empty());
            assert!(learn(&e, learner, Short::Words, std::iter::empty()).is_empty());
        }
    }

    /// Cuts of meat: "tenderloin" is "panenka" beside "pork" and "svíčková" beside "beef".
    const CUTS: &[(&str, &str)] = &[
        ("Pork tenderloin 1 kg", "Vepřová panenka 1 kg"),
        ("Pork tenderloin 0.5 kg – Maso Kroupa", "Vepřová panenka 0,5 kg Maso Kroupa"),
        ("Pork neck 1 kg", "Vepřová krkovice 1 kg"),
        ("Pork shoulder 2 kg", "Vepřová plec 2 kg"),
        ("Beef tenderloin 2 kg", "Hovězí svíčková 2 kg"),
        ("Beef tenderloin 2.5 kg", "Hovězí svíčková 2,5 kg"),
        ("Beef brisket 3 kg", "Hovězí hrudí 3 kg"),
        ("Beef sirloin 2 kg", "Hovězí roštěnec 2 kg"),
    ];

    #[test]
    fn competitive_links_give_a_word_each_translation_it_has_in_its_own_contexts() {
        let e = encoder();
        let links = learn(&e, Learner::Links, Short::Words, CUTS.iter().copied());
        let tenderloin: Vec<&str> = links.of(&term("tenderloin")).iter().map(|(u, _)| u.as_str()).collect();
        assert!(tenderloin.contains(&term("panenka").as_str()), "{links:#?}");
        assert!(tenderloin.contains(&term("svíčková").as_str()), "{links:#?}");
        assert_eq!(first(&links, "panenka"), Some(term("tenderloin")));
        assert_eq!(first(&links, "pork"), Some(term("vepřová")));
        assert_eq!(first(&links, "beef"), Some(term("hovězí")));
        // A link made in one pair only is a coincidence, not a translation: "neck" and
        // "krkovice" are linked once.
        assert!(links.of(&term("neck")).is_empty(), "{links:#?}");
        // Two translations, each in half of the word's pairs: each weaker than a sole one.
        let pork = links.of(&term("pork"))[0].1;
        assert!(links.of(&term("tenderloin")).iter().all(|(_, s)| *s < pork), "{links:#?}");
        // The mutual best match keeps neither: "panenka" goes with "pork" more often than with
        // "tenderloin", and "tenderloin" has two equally good matches.
        let dice = learn(&e, Learner::Dice, Short::Words, CUTS.iter().copied());
        assert!(dice.of(&term("tenderloin")).is_empty(), "{dice:#?}");
    }

    #[test]
    fn a_word_is_learned_even_when_its_stem_is_shorter_than_three_letters() {
        let e = encoder();
        // "ledu" (of ice) stems to two letters.
        assert!(term("ledu").chars().count() < 3, "the test needs a word whose stem is short");
        let pairs = PAIRS.iter().copied().chain([
            ("Pasta maker 2 kg/h", "Výrobník těstovin 2 kg/h"),
            ("Pasta maker 5 kg/h", "Výrobník těstovin 5 kg/h"),
        ]);
        let pairs: Vec<(&str, &str)> = pairs.collect();
        for learner in [Learner::Dice, Learner::Links] {
            let words = learn(&e, learner, Short::Words, pairs.iter().copied());
            assert_eq!(first(&words, "ice"), Some(term("ledu")), "{learner:?}: {words:#?}");
            assert_eq!(first(&words, "maker"), Some(term("výrobník")), "{learner:?}: {words:#?}");
            let stems = learn(&e, learner, Short::Stems, pairs.iter().copied());
            assert!(stems.of(&term("ice")).is_empty(), "{learner:?}: {stems:#?}");
            assert!(stems.of(&term("ledu")).is_empty(), "{learner:?}: {stems:#?}");
        }
    }
}
