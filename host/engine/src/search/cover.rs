//! Hits that hold every word of the query come first.
//!
//! BM25 adds up what each query term earns, so a product that holds one rare term of the
//! query can outrank one that holds them all: for "chicken breast", an English-named turkey
//! breast earns `breast` at full weight while a Czech-named chicken breast ("Kuřecí prsa")
//! earns only the translations of both words at a lower weight; for "knife sharpener", a knife
//! rack earns `knife`. And the dense side brings its own neighbours ("beef topside" for "beef
//! tenderloin"). People who type two words into a product search mean both.
//!
//! So the fused ranking's top [`COVER_POOL`] hits are put in tiers by how many of the query's
//! terms their lexical text covers, most first, each tier in its ranked order. A term is
//! covered by itself, by one of its learned translations ([`super::translate`]) or by
//! one of its typo corrections ([`super::typos`]): "chicken" is covered by "kuřecí" in a
//! Czech-named product's text. This is the classic coordination factor of lexical search,
//! applied as a tier rather than a weight; what is ranked below the pool stays where it is.
//!
//! The tiers can lift only what the pool holds, and a product named in the other language
//! may rank far below it: its words match only through translations, weighed below the
//! query's own, whose IDF is low besides (an English-named product's text holds its Czech
//! name too). So the pool also takes the first [`REACH_POOL`] hits of a lexical search for
//! what covers the query's terms other than the terms themselves, their translations and
//! corrections ("kuřecí prsa" for "chicken breast"), after the fused ones: a tier takes them
//! after every fused hit of its own, and one that covers fewer terms than the fused hits
//! stays below them. `WEIR_SEARCH_REACH=off` tiers the fused hits alone, and so does a search
//! without translations (`WEIR_SEARCH_TRANSLATE=off`).
//!
//! Within a tier, the hits that hold more of the query's words as typed (folded, not
//! stemmed) or through one of their learned translations come first: the stemmer makes one
//! term of "ledu" (ice) and "ledové" (icy), so for "výrobník ledu" an ice-slush machine
//! ("Výrobník ledové tříště") covers both terms as an ice maker does; the word as typed
//! tells them apart. Among hits that hold as many, those that hold every word as typed come
//! first: for "myčka nádobí" a dishwasher ("Myčka nádobí") before an English-named detergent
//! whose Czech name holds "myčky nádobí" (for dishwashers) and whose English name holds
//! "dishwasher", a translation of "myčka". A one-term query is not put in tiers, but among
//! the hits that cover its term those that hold the word come first, as typed before through
//! a translation ("gastronádoba" before "gastronorm", its correction; "kávovar" before a
//! "coffee machine" milk cooler). `WEIR_SEARCH_EXACT=off` keeps each tier in ranked order,
//! `translated` counts the two ways alike, `surface` counts words only as typed.
//!
//! `WEIR_SEARCH_COVER=off` leaves the ranking as fused (to compare on the same collection);
//! `all` makes two tiers only, those that cover every term and the rest. Counting was chosen
//! by the relevance benchmark's odd-numbered queries (hybrid RRF nDCG@10 0.767 fused as it is,
//! 0.792 with two tiers, 0.793 counting; `docs/BENCHMARKS.md`).

use std::collections::HashSet;

use weir_core::{ScoredPoint, SparseVector};
use weir_embed::{LexicalEncoder, token_id};

use crate::template::Template;

/// How many of the fused ranking's first hits are put in tiers.
pub const COVER_POOL: usize = 50;

/// Environment variable: `off`, `all` or `count` (the default) ([`Cover`]).
pub const COVER_ENV: &str = "WEIR_SEARCH_COVER";

/// How many hits of the search for the terms' translations and corrections join the pool
/// (set before measuring).
pub const REACH_POOL: usize = 30;

/// Environment variable: `off` tiers the fused ranking's own hits only (see the module's
/// documentation).
pub const REACH_ENV: &str = "WEIR_SEARCH_REACH";

/// Whether the pool takes the hits of the search for the terms' alternatives ([`REACH_ENV`]).
pub fn reach_enabled() -> bool {
    std::env::var(REACH_ENV).map_or(true, |v| v.trim() != "off")
}

/// Environment variable: `off` leaves the hits of a tier in ranked order, without those that
/// hold the query's words first; `surface` counts a word only as typed; `translated` counts it
/// as typed or through one of its learned translations alike; by default it counts either
/// way, and among hits that hold as many, those that hold every word as typed come first
/// ([`Exact`]).
pub const EXACT_ENV: &str = "WEIR_SEARCH_EXACT";

/// What counts as holding a query word, to order the hits of a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exact {
    /// The word as typed (folded, not stemmed).
    Surface,
    /// The word as typed, or one of its learned translations.
    Translated,
    /// As [`Exact::Translated`], and among hits that hold as many words, those that hold every
    /// one as typed first: a Czech query's "papírové ručníky" before a "paper towel
    /// dispenser", which holds both words through their translations. (A hit holding only some
    /// words as typed gains nothing over one holding them through translations: an English
    /// "knife" rack is not put before a Czech-named knife sharpener for "knife sharpener".)
    TypedFirst,
}

/// How a tier orders its hits by the query's words ([`EXACT_ENV`]); `None` when it does not.
pub fn exact_use() -> Option<Exact> {
    match std::env::var(EXACT_ENV).as_deref().map(str::trim) {
        Ok("off") => None,
        Ok("surface") => Some(Exact::Surface),
        Ok("translated") => Some(Exact::Translated),
        _ => Some(Exact::TypedFirst),
    }
}

/// How a ranking's first hits are ordered by the query terms they cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cover {
    /// Those that cover every term first, then the rest; each tier in ranked order.
    All,
    /// By the number of terms covered, most first; ties in ranked order.
    Count,
}

/// The use of coverage ([`COVER_ENV`]); `None` when it is off.
pub fn cover_use() -> Option<Cover> {
    match std::env::var(COVER_ENV).as_deref().map(str::trim) {
        Ok("off") => None,
        Ok("all") => Some(Cover::All),
        _ => Some(Cover::Count),
    }
}

/// A query's distinct terms (each one's id, and the ids of what covers it besides itself),
/// and its words as typed, folded, that carry a term (each with its terms' translations).
#[derive(Debug, Default)]
pub(crate) struct Terms(Vec<(u32, Vec<u32>)>, Vec<(String, Vec<u32>)>);

impl Terms {
    /// The terms of `query` (`encoder`'s), each covered by itself and by what `alike` gives
    /// for it: its translations and corrections, as term ids.
    pub(crate) fn of(encoder: &LexicalEncoder, query: &str, alike: impl Fn(&str, u32) -> Vec<u32>) -> Terms {
        let mut tokens = encoder.tokens(query);
        tokens.sort_unstable();
        tokens.dedup();
        let mut words: Vec<(String, Vec<u32>)> =
            words(query).filter(|w| !encoder.tokens(w).is_empty()).map(|w| (w, Vec::new())).collect();
        words.sort_unstable();
        words.dedup();
        Terms(
            tokens
                .iter()
                .map(|t| {
                    let id = token_id(t);
                    let mut ids = alike(t, id);
                    ids.retain(|&other| other != id);
                    ids.sort_unstable();
                    ids.dedup();
                    (id, ids)
                })
                .collect(),
            words,
        )
    }

    /// How many of the query's words a text holds: as typed (folded) among its words `held`,
    /// or (unless `how` is [`Exact::Surface`]) through a translation among its term ids `ids`.
    fn typed(&self, held: &HashSet<String>, ids: &HashSet<u32>, how: Exact) -> usize {
        let translated = |t: &[u32]| how != Exact::Surface && t.iter().any(|id| ids.contains(id));
        self.1.iter().filter(|(w, t)| held.contains(w) || translated(t)).count()
    }

    /// The terms of `query`, each with what covers it in a record's text besides itself: its
    /// learned translations in `kept` (the catalogue's own words for it, whether or not the
    /// query is searched with them: a record expanded by them holds them in its vector, not
    /// its text) and its typo corrections, when those are on.
    pub(crate) fn of_query(encoder: &LexicalEncoder, query: &str, kept: Option<&super::kept::Kept>) -> Terms {
        let table = kept.map(|k| k.translations(false));
        let vocab = kept.filter(|_| super::typos::typo_weight().is_some()).and_then(super::kept::Kept::vocabulary);
        let mut terms = Terms::of(encoder, query, |term, id| {
            let translations = table.and_then(|t| t.get(&id)).into_iter().flatten().map(|(u, _)| *u);
            let corrections = vocab.map(|v| v.corrections(term)).unwrap_or_default();
            translations.chain(corrections.iter().map(|c| token_id(c))).collect()
        });
        for (word, translations) in &mut terms.1 {
            let ids = encoder.tokens(word).iter().map(|t| token_id(t)).collect::<Vec<_>>();
            translations.extend(ids.iter().filter_map(|id| table?.get(id)).flatten().map(|(u, _)| *u));
        }
        terms
    }

    /// How many of the terms a text of term ids `held` covers.
    fn covered(&self, held: &HashSet<u32>) -> usize {
        self.0.iter().filter(|(id, alike)| held.contains(id) || alike.iter().any(|a| held.contains(a))).count()
    }

    /// The lexical query for what covers the terms besides themselves, each at weight 1; none
    /// for fewer than two terms (they are not put in tiers) or when no term has any.
    pub(crate) fn reach(&self) -> Option<SparseVector> {
        if self.0.len() < 2 {
            return None;
        }
        let mut indices: Vec<u32> = self.0.iter().flat_map(|(_, alike)| alike.iter().copied()).collect();
        indices.sort_unstable();
        indices.dedup();
        (!indices.is_empty()).then(|| SparseVector { values: vec![1.0; indices.len()], indices })
    }
}

/// `points` with their first [`COVER_POOL`], and after them the hits of `reached` not among
/// those (see [`Terms::reach`]), ordered by the query terms (`terms`) their lexical texts
/// (`template` over their payloads, `encoder`'s terms) cover, as `how` says, and within a
/// tier by how many of the query's words as typed each holds ([`EXACT_ENV`]); the rest of
/// `points` follows as it was, less what the pool took. A one-term query's pool keeps its
/// order but for the hits that cover the term: those holding the word as typed come first.
pub(crate) fn by_cover(
    mut points: Vec<ScoredPoint>,
    reached: Vec<ScoredPoint>,
    terms: &Terms,
    how: Cover,
    encoder: &LexicalEncoder,
    template: &Template,
) -> Vec<ScoredPoint> {
    let typed = exact_use();
    // One term alone: a hit covers it or was found by meaning, and the fused ranking already
    // weighs that; only the word as typed is put first among the hits that cover it.
    if terms.0.len() < 2 {
        return match typed {
            Some(how) if terms.0.len() == 1 => typed_first(points, terms, how, encoder, template),
            _ => points,
        };
    }
    // A reached hit shows its fused score: its own when the fused ranking has it below the
    // pool, else the ranking's last one, which it does not exceed.
    let floor = points.last().map_or(0.0, |p| p.score);
    let mut rest = points.split_off(points.len().min(COVER_POOL));
    let mut seen: HashSet<String> = points.iter().map(|p| p.id.clone()).collect();
    for p in reached {
        if seen.insert(p.id.clone()) {
            let score = rest.iter().find(|r| r.id == p.id).map_or(floor, |r| r.score);
            points.push(ScoredPoint { score, ..p });
        }
    }
    rest.retain(|p| !seen.contains(&p.id));
    let mut tiered: Vec<(usize, (usize, usize), usize, ScoredPoint)> = points
        .into_iter()
        .enumerate()
        .map(|(rank, p)| {
            let (covered, held, as_typed) = coverage(&p, terms, typed.unwrap_or(Exact::Surface), encoder, template);
            let tier = match how {
                Cover::All => usize::from(covered < terms.0.len()),
                Cover::Count => terms.0.len() - covered,
            };
            let words = terms.1.len();
            let untyped = if typed.is_some() { (words - held, usize::from(as_typed < words)) } else { (0, 0) };
            (tier, untyped, rank, p)
        })
        .collect();
    tiered.sort_by_key(|(tier, untyped, rank, _)| (*tier, *untyped, *rank));
    tiered.into_iter().map(|(_, _, _, p)| p).chain(rest).collect()
}

/// How many of `terms` the lexical text of `p` covers, how many of the query's words it
/// holds as `how` counts them, and (for [`Exact::TypedFirst`]; else the same) how many as
/// typed.
fn coverage(
    p: &ScoredPoint,
    terms: &Terms,
    how: Exact,
    encoder: &LexicalEncoder,
    template: &Template,
) -> (usize, usize, usize) {
    let text = super::lexical_text(template, &p.payload);
    let held: HashSet<u32> = encoder.tokens(&text).iter().map(|t| token_id(t)).collect();
    let seen: HashSet<String> = words(&text).collect();
    let counted = terms.typed(&seen, &held, how);
    let as_typed = if how == Exact::TypedFirst { terms.typed(&seen, &held, Exact::Surface) } else { counted };
    (terms.covered(&held), counted, as_typed)
}

/// A one-term query's pool with the hits that hold the word (as `how` counts it; with
/// [`Exact::TypedFirst`], those holding it as typed before those holding a translation) first
/// among those that cover its term, each in ranked order; the other hits keep their places.
fn typed_first(
    mut points: Vec<ScoredPoint>,
    terms: &Terms,
    how: Exact,
    encoder: &LexicalEncoder,
    template: &Template,
) -> Vec<ScoredPoint> {
    let rest = points.split_off(points.len().min(COVER_POOL));
    let marks: Vec<(usize, usize, usize)> = points.iter().map(|p| coverage(p, terms, how, encoder, template)).collect();
    let slots: Vec<usize> = (0..points.len()).filter(|&i| marks[i].0 > 0).collect();
    let mut order = slots.clone();
    order.sort_by_key(|&i| (usize::from(marks[i].1 == 0), usize::from(marks[i].2 == 0), i));
    let mut out: Vec<Option<ScoredPoint>> = points.into_iter().map(Some).collect();
    let moved: Vec<ScoredPoint> = order.iter().filter_map(|&i| out[i].take()).collect();
    for (slot, p) in slots.into_iter().zip(moved) {
        out[slot] = Some(p);
    }
    out.into_iter().flatten().chain(rest).collect()
}

/// The words of `text`, folded (lower-cased, diacritics removed), as typed: no stemming.
fn words(text: &str) -> impl Iterator<Item = String> {
    weir_embed::fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>()
        .into_iter()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use weir_embed::LexicalConfig;

    fn point(id: &str, name: &str) -> ScoredPoint {
        ScoredPoint { id: id.into(), score: 1.0, payload: serde_json::json!({ "name": name }).to_string() }
    }

    fn ids(points: &[ScoredPoint]) -> Vec<&str> {
        points.iter().map(|p| p.id.as_str()).collect()
    }

    /// The terms of "chicken breast" with "kuřecí" and "prsa" as their translations, as a
    /// learned table would give them.
    fn chicken_breast(encoder: &LexicalEncoder) -> Terms {
        let id = |w: &str| token_id(&encoder.tokens(w)[0]);
        let (chicken, breast) = (encoder.tokens("chicken")[0].clone(), encoder.tokens("breast")[0].clone());
        let mut terms = Terms::of(encoder, "chicken breast", |t, _| match t {
            t if t == chicken => vec![id("kuřecí")],
            t if t == breast => vec![id("prsa")],
            _ => Vec::new(),
        });
        for (word, translations) in &mut terms.1 {
            translations.push(if word == "chicken" { id("kuřecí") } else { id("prsa") });
        }
        terms
    }

    #[test]
    fn hits_that_cover_every_term_come_first_in_their_ranked_order() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        let terms = chicken_breast(&encoder);
        let ranked = vec![
            point("turkey", "Turkey breast fillet"),
            point("chicken-en", "Chicken breast fillet"),
            point("duck", "Duck breast"),
            point("chicken-cs", "Kuřecí prsa bez kosti"),
            point("stock", "Chicken stock"),
        ];
        let all = by_cover(ranked.clone(), Vec::new(), &terms, Cover::All, &encoder, &template);
        assert_eq!(ids(&all), ["chicken-en", "chicken-cs", "turkey", "duck", "stock"]);
        let count = by_cover(ranked.clone(), Vec::new(), &terms, Cover::Count, &encoder, &template);
        assert_eq!(ids(&count), ["chicken-en", "chicken-cs", "turkey", "duck", "stock"]);
        // Nothing covers both: the order stays.
        let none = by_cover(
            ranked[2..3].iter().chain(&ranked[4..]).cloned().collect(),
            Vec::new(),
            &terms,
            Cover::All,
            &encoder,
            &template,
        );
        assert_eq!(ids(&none), ["duck", "stock"]);
    }

    #[test]
    fn counting_puts_two_of_three_terms_above_one_and_one_term_changes_nothing() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        let terms = Terms::of(&encoder, "stock pot 50 l", |_, _| Vec::new());
        let ranked = vec![
            point("a", "Aluminium stock pot 20 l"),
            point("b", "Frying pan 50 cm"),
            point("c", "Stainless steel stock pot 50 l"),
        ];
        assert_eq!(
            ids(&by_cover(ranked.clone(), Vec::new(), &terms, Cover::Count, &encoder, &template)),
            ["c", "a", "b"]
        );
        assert_eq!(
            ids(&by_cover(ranked.clone(), Vec::new(), &terms, Cover::All, &encoder, &template)),
            ["c", "a", "b"]
        );
        let one = Terms::of(&encoder, "pot", |_, _| Vec::new());
        assert_eq!(ids(&by_cover(ranked.clone(), Vec::new(), &one, Cover::All, &encoder, &template)), ["a", "b", "c"]);
    }

    #[test]
    fn the_reach_query_asks_for_what_covers_the_terms_besides_themselves() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let id = |w: &str| token_id(&encoder.tokens(w)[0]);
        let chicken = encoder.tokens("chicken")[0].clone();
        let alike = |t: &str, own: u32| if t == chicken { vec![id("kuřecí"), own] } else { Vec::new() };
        let reach = Terms::of(&encoder, "chicken breast", alike).reach().unwrap();
        assert_eq!(reach.indices, [id("kuřecí")], "the term itself is not asked for again");
        assert_eq!(reach.values, [1.0]);
        assert!(Terms::of(&encoder, "chicken", alike).reach().is_none(), "one term is not put in tiers");
        assert!(Terms::of(&encoder, "duck breast", alike).reach().is_none(), "nothing besides the terms");
    }

    #[test]
    fn reached_hits_join_the_pool_after_the_fused_ones_of_their_tier_and_only_once() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        let terms = chicken_breast(&encoder);
        let mut ranked = vec![point("turkey", "Turkey breast fillet"), point("chicken-en", "Chicken breast fillet")];
        ranked.extend((0..COVER_POOL).map(|i| point(&format!("duck{i}"), "Duck breast")));
        ranked.push(ScoredPoint { score: 0.25, ..point("chicken-cs-below", "Kuřecí prsa 2 kg") });
        ranked.push(ScoredPoint { score: 0.125, ..point("tail", "Pánev") });
        let reached: Vec<ScoredPoint> = [
            point("chicken-cs", "Kuřecí prsa 1 kg"),
            point("chicken-en", "Chicken breast fillet"),
            point("chicken-cs-below", "Kuřecí prsa 2 kg"),
            point("liver", "Kuřecí játra"),
        ]
        .into_iter()
        .map(|p| ScoredPoint { score: 13.0, ..p })
        .collect();
        let out = by_cover(ranked, reached, &terms, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out[..4]), ["chicken-en", "chicken-cs", "chicken-cs-below", "turkey"]);
        assert_eq!(out.len(), COVER_POOL + 3 + 3, "every hit once");
        // Every hit shows a fused score: the one it had below the pool, or at most the last.
        let score = |id: &str| out.iter().find(|p| p.id == id).unwrap().score;
        assert_eq!((score("chicken-cs"), score("chicken-cs-below"), score("chicken-en")), (0.125, 0.25, 1.0));
        let liver = out.iter().position(|p| p.id == "liver").unwrap();
        assert!(liver > out.iter().position(|p| p.id == "duck0").unwrap(), "one term, after the fused hits of one");
        let none = by_cover(
            vec![point("a", "Duck breast")],
            vec![point("b", "Kuřecí prsa")],
            &terms,
            Cover::Count,
            &encoder,
            &template,
        );
        assert_eq!(ids(&none), ["b", "a"]);
    }

    #[test]
    fn within_a_tier_the_words_as_typed_come_first() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        // "ledu" and "ledové" are one term; the ice maker holds the word as typed.
        assert_eq!(encoder.tokens("ledu"), encoder.tokens("ledové"));
        let terms = Terms::of(&encoder, "vyrobnik ledu", |_, _| Vec::new());
        let ranked = vec![
            point("slush", "Výrobník ledové tříště"),
            point("maker", "Výrobník ledu Scotsman"),
            point("crushed", "Výrobník tříštěného ledu"),
            point("other", "Výrobník zmrzliny"),
        ];
        let out = by_cover(ranked.clone(), Vec::new(), &terms, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out), ["maker", "crushed", "slush", "other"]);
        // A one-term query: among the hits that cover the term, the word as typed first; a hit
        // that does not cover it keeps its place.
        let one = Terms::of(&encoder, "ledu", |_, _| Vec::new());
        let out = by_cover(ranked, Vec::new(), &one, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out), ["maker", "crushed", "slush", "other"]);
        let ranked = vec![point("a", "Ledové kostky"), point("b", "Pánev"), point("c", "Kostky ledu")];
        let out = by_cover(ranked, Vec::new(), &one, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out), ["c", "b", "a"]);
    }

    #[test]
    fn a_translation_counts_as_the_word_typed_unless_only_the_surface_is_asked_for() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        let terms = chicken_breast(&encoder);
        // Both cover both terms: one by stems of other forms, the other by translations.
        let ranked = [point("stems", "Chickens breasts"), point("czech", "Kuřecí prsa")];
        let held = |p: &ScoredPoint, how| coverage(p, &terms, how, &encoder, &template);
        assert_eq!(held(&ranked[0], Exact::Translated), (2, 0, 0));
        assert_eq!(held(&ranked[1], Exact::Translated), (2, 2, 2));
        assert_eq!(held(&ranked[1], Exact::Surface), (2, 0, 0));
        assert_eq!(held(&ranked[1], Exact::TypedFirst), (2, 2, 0));
        // By default (`WEIR_SEARCH_EXACT` unset) a tier counts the translations ...
        let out = by_cover(ranked.to_vec(), Vec::new(), &terms, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out), ["czech", "stems"]);
        // ... and among hits that hold as many words, those holding every one as typed come
        // first; one word as typed and the other through its translation gains nothing.
        let mixed = point("mixed", "Kuřecí breast");
        assert_eq!(held(&mixed, Exact::TypedFirst), (2, 2, 1));
        let out = by_cover(vec![ranked[1].clone(), mixed], Vec::new(), &terms, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out), ["czech", "mixed"]);
        let english = point("english", "Chicken breast fillet");
        assert_eq!(held(&english, Exact::TypedFirst), (2, 2, 2));
        let out =
            by_cover(vec![ranked[1].clone(), english.clone()], Vec::new(), &terms, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out), ["english", "czech"]);
        // So for one term: "chicken" held as typed before its translation "kuřecí".
        let one = Terms::of(&encoder, "chicken", |t, _| {
            terms.0.iter().find(|(id, _)| *id == token_id(t)).map(|(_, a)| a.clone()).unwrap_or_default()
        });
        let out = by_cover(vec![ranked[1].clone(), english], Vec::new(), &one, Cover::Count, &encoder, &template);
        assert_eq!(ids(&out), ["english", "czech"]);
    }

    #[test]
    fn only_the_pool_is_reordered() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        let terms = Terms::of(&encoder, "wine glass", |_, _| Vec::new());
        let mut ranked: Vec<ScoredPoint> = (0..COVER_POOL).map(|i| point(&format!("beer{i}"), "Beer glass")).collect();
        ranked.push(point("wine", "Wine glass"));
        let out = by_cover(ranked, Vec::new(), &terms, Cover::All, &encoder, &template);
        assert_eq!(out.len(), COVER_POOL + 1);
        assert_eq!(out[COVER_POOL].id, "wine", "below the pool, a hit stays where it was");
    }
}
