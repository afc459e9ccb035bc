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
//! `WEIR_SEARCH_COVER=off` leaves the ranking as fused (to compare on the same collection);
//! `all` makes two tiers only, those that cover every term and the rest. Counting was chosen
//! by the relevance benchmark's odd-numbered queries (hybrid RRF nDCG@10 0.767 fused as it is,
//! 0.792 with two tiers, 0.793 counting; `docs/BENCHMARKS.md`).

use std::collections::HashSet;

use weir_core::ScoredPoint;
use weir_embed::{LexicalEncoder, token_id};

use crate::template::Template;

/// How many of the fused ranking's first hits are put in tiers.
pub const COVER_POOL: usize = 50;

/// Environment variable: `off`, `all` or `count` (the default) ([`Cover`]).
pub const COVER_ENV: &str = "WEIR_SEARCH_COVER";

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

/// A query's distinct terms, each with the term ids that cover it in a record's text.
#[derive(Debug, Default)]
pub(crate) struct Terms(Vec<Vec<u32>>);

impl Terms {
    /// The terms of `query` (`encoder`'s), each covered by itself and by what `alike` gives
    /// for it: its translations and corrections, as term ids.
    pub(crate) fn of(encoder: &LexicalEncoder, query: &str, alike: impl Fn(&str, u32) -> Vec<u32>) -> Terms {
        let mut tokens = encoder.tokens(query);
        tokens.sort_unstable();
        tokens.dedup();
        Terms(
            tokens
                .iter()
                .map(|t| {
                    let id = token_id(t);
                    let mut ids = alike(t, id);
                    ids.push(id);
                    ids.sort_unstable();
                    ids.dedup();
                    ids
                })
                .collect(),
        )
    }

    /// How many of the terms a text of term ids `held` covers.
    fn covered(&self, held: &HashSet<u32>) -> usize {
        self.0.iter().filter(|ids| ids.iter().any(|id| held.contains(id))).count()
    }
}

/// `points` with their first [`COVER_POOL`] ordered by the query terms (`terms`) their lexical
/// texts (`template` over their payloads, `encoder`'s terms) cover, as `how` says.
pub(crate) fn by_cover(
    mut points: Vec<ScoredPoint>,
    terms: &Terms,
    how: Cover,
    encoder: &LexicalEncoder,
    template: &Template,
) -> Vec<ScoredPoint> {
    // One term alone: a hit covers it or was found by meaning, and the fused ranking already
    // weighs that; two or more, and a hit that lacks one can rank above one that has all.
    if terms.0.len() < 2 {
        return points;
    }
    let pool = points.len().min(COVER_POOL);
    let rest = points.split_off(pool);
    let mut tiered: Vec<(usize, usize, ScoredPoint)> = points
        .into_iter()
        .enumerate()
        .map(|(rank, p)| {
            let text = super::lexical_text(template, &p.payload);
            let held: HashSet<u32> = encoder.tokens(&text).iter().map(|t| token_id(t)).collect();
            let covered = terms.covered(&held);
            let tier = match how {
                Cover::All => usize::from(covered < terms.0.len()),
                Cover::Count => terms.0.len() - covered,
            };
            (tier, rank, p)
        })
        .collect();
    tiered.sort_by_key(|(tier, rank, _)| (*tier, *rank));
    tiered.into_iter().map(|(_, _, p)| p).chain(rest).collect()
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

    #[test]
    fn hits_that_cover_every_term_come_first_in_their_ranked_order() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        // "kuřecí" and "prsa" are translations of "chicken" and "breast", as a learned table
        // would give them.
        let id = |w: &str| token_id(&encoder.tokens(w)[0]);
        let (chicken, breast) = (encoder.tokens("chicken")[0].clone(), encoder.tokens("breast")[0].clone());
        let terms = Terms::of(&encoder, "chicken breast", |t, _| match t {
            t if t == chicken => vec![id("kuřecí")],
            t if t == breast => vec![id("prsa")],
            _ => Vec::new(),
        });
        let ranked = vec![
            point("turkey", "Turkey breast fillet"),
            point("chicken-en", "Chicken breast fillet"),
            point("duck", "Duck breast"),
            point("chicken-cs", "Kuřecí prsa bez kosti"),
            point("stock", "Chicken stock"),
        ];
        let all = by_cover(ranked.clone(), &terms, Cover::All, &encoder, &template);
        assert_eq!(ids(&all), ["chicken-en", "chicken-cs", "turkey", "duck", "stock"]);
        let count = by_cover(ranked.clone(), &terms, Cover::Count, &encoder, &template);
        assert_eq!(ids(&count), ["chicken-en", "chicken-cs", "turkey", "duck", "stock"]);
        // Nothing covers both: the order stays.
        let none = by_cover(
            ranked[2..3].iter().chain(&ranked[4..]).cloned().collect(),
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
        assert_eq!(ids(&by_cover(ranked.clone(), &terms, Cover::Count, &encoder, &template)), ["c", "a", "b"]);
        assert_eq!(ids(&by_cover(ranked.clone(), &terms, Cover::All, &encoder, &template)), ["c", "a", "b"]);
        let one = Terms::of(&encoder, "pot", |_, _| Vec::new());
        assert_eq!(ids(&by_cover(ranked.clone(), &one, Cover::All, &encoder, &template)), ["a", "b", "c"]);
    }

    #[test]
    fn only_the_pool_is_reordered() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let template = Template::parse("{name}").unwrap();
        let terms = Terms::of(&encoder, "wine glass", |_, _| Vec::new());
        let mut ranked: Vec<ScoredPoint> = (0..COVER_POOL).map(|i| point(&format!("beer{i}"), "Beer glass")).collect();
        ranked.push(point("wine", "Wine glass"));
        let out = by_cover(ranked, &terms, Cover::All, &encoder, &template);
        assert_eq!(out.len(), COVER_POOL + 1);
        assert_eq!(out[COVER_POOL].id, "wine", "below the pool, a hit stays where it was");
    }
}
