//! One round of pseudo-relevance feedback on the lexical side of a search (RM3's idea): the
//! words that most of the first ranking's top hits share, that the query lacks and the hits
//! ranked after them share less, are added to the lexical query at a lower weight and the
//! ranking is asked again.

use weir_core::SparseVector;
use weir_embed::{LexicalEncoder, token_id};

/// Top hits of the first ranking whose lexical texts give feedback terms.
pub const FEEDBACK_DOCS: usize = 5;

/// A feedback term must occur in at least this many of the [`FEEDBACK_DOCS`]: a word most top
/// hits share names what they are, a word of one hit is its brand, size or description.
pub const FEEDBACK_MIN_DOCS: usize = 3;

/// Most feedback terms added to a query.
pub const FEEDBACK_TERMS: usize = 10;

/// Weight of a feedback term shared by every feedback document (the query's own terms weigh
/// 1.0); one shared by fewer weighs proportionally less. Below 1 so that the user's words
/// stay what the ranking is about.
pub const FEEDBACK_WEIGHT: f32 = 0.5;

/// Environment variable: `off` searches without feedback, to compare rankings with and
/// without it (the relevance benchmark does).
pub const FEEDBACK_ENV: &str = "WEIR_SEARCH_FEEDBACK";

pub(super) fn feedback_enabled() -> bool {
    std::env::var(FEEDBACK_ENV).map_or(true, |v| v.trim() != "off")
}

/// Hits of the first ranking read for feedback: the top [`FEEDBACK_DOCS`] and the ones after
/// them, whose words are the neighbourhood's and not the top hits' own.
pub const FEEDBACK_POOL: usize = 20;

/// The feedback terms of a lexical `query` from the lexical `texts` of its first ranking's
/// hits, in rank order, best first: `(term id, weight)` for each word (of three letters or
/// more, without digits: numbers, units and size letters are the user's to ask for) that at
/// least [`FEEDBACK_MIN_DOCS`] of the top [`FEEDBACK_DOCS`] texts contain and the query does
/// not, at most [`FEEDBACK_TERMS`]. A term weighs [`FEEDBACK_WEIGHT`] × (its share of the top
/// texts − its share of the texts after them): a word the whole neighbourhood shares (a
/// category, a group's stock sentence) says nothing about what the top hits are, a word the
/// top hits have and the next ones lack (the Czech name of the English-named top hits) does.
/// None when fewer top texts than [`FEEDBACK_MIN_DOCS`] came back: no consensus to go by.
pub fn feedback_terms(encoder: &LexicalEncoder, query: &SparseVector, texts: &[String]) -> Vec<(u32, f32)> {
    let top = texts.len().min(FEEDBACK_DOCS);
    if top < FEEDBACK_MIN_DOCS {
        return Vec::new();
    }
    let rest = texts.len() - top;
    // (texts among the top that contain the term, texts after them that do)
    let mut counts: std::collections::HashMap<u32, (usize, usize)> = std::collections::HashMap::new();
    for (rank, text) in texts.iter().enumerate() {
        let mut terms: Vec<u32> = encoder
            .tokens(text)
            .iter()
            .filter(|t| t.len() >= 3 && !t.chars().any(|c| c.is_ascii_digit()))
            .map(|t| token_id(t))
            .filter(|id| query.indices.binary_search(id).is_err())
            .collect();
        terms.sort_unstable();
        terms.dedup();
        for id in terms {
            let c = counts.entry(id).or_default();
            if rank < top {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
    }
    let mut shared: Vec<(u32, usize, f32)> = counts
        .into_iter()
        .filter(|&(_, (n, _))| n >= FEEDBACK_MIN_DOCS)
        .map(|(id, (n, m))| {
            let rest_share = if rest == 0 { 0.0 } else { m as f32 / rest as f32 };
            (id, n, FEEDBACK_WEIGHT * (n as f32 / top as f32 - rest_share))
        })
        .filter(|&(_, _, w)| w > 0.0)
        .collect();
    // Heaviest first; ties by id, so that the same hits always give the same query.
    shared.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    shared.truncate(FEEDBACK_TERMS);
    shared.into_iter().map(|(id, _, w)| (id, w)).collect()
}

/// `query` with `added` terms (none of them already in it), indices kept sorted.
pub(super) fn with_terms(query: SparseVector, added: &[(u32, f32)]) -> SparseVector {
    if added.is_empty() {
        return query;
    }
    let mut pairs: Vec<(u32, f32)> = query.indices.into_iter().zip(query.values).collect();
    pairs.extend_from_slice(added);
    pairs.sort_unstable_by_key(|p| p.0);
    pairs.dedup_by_key(|p| p.0);
    let (indices, values) = pairs.into_iter().unzip();
    SparseVector { indices, values }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn encoder() -> LexicalEncoder {
        LexicalEncoder::new(weir_embed::LexicalConfig::default()).unwrap()
    }

    fn query(encoder: &LexicalEncoder, text: &str) -> SparseVector {
        let v = encoder.query(text);
        SparseVector { indices: v.indices, values: v.values }
    }

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn feedback_adds_the_words_most_top_hits_share_and_the_query_lacks() {
        let e = encoder();
        let q = query(&e, "chicken breast");
        let top = texts(&[
            "Chicken breast fillet IQF 2,5 kg · Kuřecí prsa bez kosti 2,5 kg",
            "Chicken breast chilled 1 kg · Kuřecí prsa chlazená 1 kg",
            "Kuřecí prsa chlazená 2 kg · Drůbež",
            "Chicken wings 5 kg · Kuřecí křídla 5 kg",
            "Turkey breast · Krůtí prsa",
        ]);
        let added = feedback_terms(&e, &q, &top);
        let id = |w: &str| token_id(&e.tokens(w)[0]);
        let weight = |w: &str| added.iter().find(|(t, _)| *t == id(w)).map(|(_, v)| *v);
        // "kuřecí" is in four of five, "prsa" in four: both added, weighted by their share.
        assert_eq!(weight("kuřecí"), Some(FEEDBACK_WEIGHT * 4.0 / 5.0));
        assert_eq!(weight("prsa"), Some(FEEDBACK_WEIGHT * 4.0 / 5.0));
        // In two texts only: not the consensus of the top hits.
        assert_eq!(weight("chlazená"), None);
        // Numbers and units are the user's to ask for.
        assert_eq!(weight("kg"), None);
        // The query's own words are not added again.
        assert_eq!(weight("chicken"), None);
        assert!(added.len() <= FEEDBACK_TERMS);
        assert!(added.windows(2).all(|w| w[0].1 >= w[1].1), "most shared first: {added:?}");
    }

    #[test]
    fn a_word_the_whole_neighbourhood_shares_is_no_feedback() {
        let e = encoder();
        let q = query(&e, "chicken breast");
        let mut list = vec!["Chicken breast · Kuřecí prsa · Potraviny / Drůbež"; 4];
        list.push("Chicken breast · Potraviny / Drůbež");
        // The next ranks: the same category, half of them chicken.
        for i in 0..FEEDBACK_POOL - FEEDBACK_DOCS {
            list.push(if i % 2 == 0 {
                "Chicken wings · Kuřecí křídla · Potraviny / Drůbež"
            } else {
                "Turkey · Krůta · Potraviny / Drůbež"
            });
        }
        let added = feedback_terms(&e, &q, &texts(&list));
        let id = |w: &str| token_id(&e.tokens(w)[0]);
        let weight = |w: &str| added.iter().find(|(t, _)| *t == id(w)).map(|(_, v)| *v);
        // In 4 of the top 5 and none after them.
        assert_eq!(weight("prsa"), Some(FEEDBACK_WEIGHT * 4.0 / 5.0));
        // In 4 of 5, but also in 8 of the next 15.
        let kureci = weight("kuřecí").unwrap();
        assert!((kureci - FEEDBACK_WEIGHT * (4.0 / 5.0 - 8.0 / 15.0)).abs() < 1e-6, "{kureci}");
        // Everywhere: the category, not what the top hits are.
        assert_eq!(weight("drůbež"), None);
        assert_eq!(weight("potraviny"), None);
        assert_eq!(added.first().map(|a| a.0), Some(id("prsa")), "heaviest first: {added:?}");
    }

    #[test]
    fn no_feedback_without_enough_top_hits_to_agree() {
        let e = encoder();
        let q = query(&e, "ice maker");
        let two = texts(&["Výrobník ledu 45 kg", "Výrobník ledu 25 kg"]);
        assert!(feedback_terms(&e, &q, &two).is_empty());
        assert!(feedback_terms(&e, &q, &[]).is_empty());
        let unrelated = texts(&["Hrnec", "Pánev", "Nůž", "Talíř", "Sklenice"]);
        assert!(feedback_terms(&e, &q, &unrelated).is_empty());
    }

    #[test]
    fn feedback_terms_join_the_query_sorted_at_their_weights() {
        let q = SparseVector { indices: vec![10, 30], values: vec![1.0, 1.0] };
        let v = with_terms(q.clone(), &[(20, 0.4), (5, 0.2)]);
        assert_eq!(v.indices, vec![5, 10, 20, 30]);
        assert_eq!(v.values, vec![0.2, 1.0, 0.4, 1.0]);
        assert!(v.defect().is_none(), "{v:?}");
        assert_eq!(with_terms(q.clone(), &[]), q);
    }
}
