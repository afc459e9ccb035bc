//! Searching a pipeline's collection: the one search that `weir search`, the status page and
//! `weir demo` share.
//!
//! A query is looked up three ways. First as an identifier: when the query, trimmed and
//! lower-cased, equals one of a point's normalised identifiers ([`IDS_FIELD`]), that point
//! comes first, because staff who type a product code or an EAN want that product and a
//! vector of the text cannot find it. Then by meaning (the dense vector of the query) and by
//! its words (the lexical BM25 vector), the two rankings fused by the sink (RRF or DBSF).
//! Points already returned as identifier hits are not repeated.
//!
//! The lexical side then gets one round of pseudo-relevance feedback (RM3's idea, see
//! [`feedback_terms`]): the words that most of the first ranking's top hits share, that the
//! query lacks and the hits ranked after them share less, are added to the lexical query at
//! a lower weight and the ranking is asked again. A query's words and a product's words often differ: an English query for a product
//! the catalogue names in Czech, a typo. The top hits of the first ranking (found by the dense
//! side, or by the words that did match, such as the English name of an imported product
//! whose Czech name is in its lexical text) carry the catalogue's own words for the thing,
//! and those find the rest. Nothing is learned from queries; the terms come from the hits.
//!
//! A collection made before hybrid search (no lexical vectors) is searched dense-only, with a
//! note that a rebuild upgrades it.

use std::sync::Arc;

use serde_json::{Map, Value};
use weir_core::{Fusion, Query, SparseVector};
use weir_embed::{Embedder, LexicalEncoder, Purpose, token_id};
use weir_runtime::SinkInstance;

use crate::error::{Error, Result};
use crate::pipeline::{KEY_FIELD, Pipeline};
use crate::settings::{IDS_FIELD, PipelineSettings};
use crate::template::Template;

/// Longest query searched, in characters; a longer one is cut there (with a note). Product
/// searches are a few words; a pasted page must not cost a long embedding.
pub const MAX_QUERY_CHARS: usize = 1000;

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

fn feedback_enabled() -> bool {
    std::env::var(FEEDBACK_ENV).map_or(true, |v| v.trim() != "off")
}

/// Hits of the first ranking read for feedback: the top [`FEEDBACK_DOCS`] and the ones after
/// them, whose words are the neighbourhood's and not the top hits' own.
pub const FEEDBACK_POOL: usize = 20;

/// Which signals a search uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Dense and lexical, fused (the default); dense only on a collection without lexical
    /// vectors.
    #[default]
    Hybrid,
    /// Meaning only (the dense vector).
    Dense,
    /// Words only (the lexical BM25 vector).
    Sparse,
}

impl std::fmt::Display for SearchMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SearchMode::Hybrid => "hybrid",
            SearchMode::Dense => "dense",
            SearchMode::Sparse => "sparse",
        })
    }
}

/// How a hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The query equals one of the point's identifiers.
    Identifier,
    /// By the dense, lexical or fused ranking.
    Ranked,
}

/// One search result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// The point id.
    pub id: String,
    /// The sink's score (1.0 for an identifier match; fused scores are only comparable
    /// within one search).
    pub score: f32,
    /// The record's key, when the payload carries it.
    pub key: Option<String>,
    /// How it was found.
    #[serde(rename = "match")]
    pub matched: Match,
    /// The point's payload (a JSON object).
    pub payload: Map<String, Value>,
}

impl Hit {
    /// The `fields` the payload has, in order, as display text (`(field, value)`).
    pub fn display<'a>(&self, fields: &'a [String]) -> Vec<(&'a str, String)> {
        fields
            .iter()
            .filter_map(|f| {
                let v = self.payload.get(f)?;
                let text = match v {
                    Value::Null => return None,
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some((f.as_str(), text))
            })
            .collect()
    }
}

/// What a search found, and what the caller should tell its user.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Found {
    /// Identifier matches first, then the ranking, without duplicates, at most `k`.
    pub hits: Vec<Hit>,
    /// The mode actually used (hybrid becomes dense on a collection without lexical vectors).
    pub mode: SearchMode,
    /// One-line notes: a cut query, a collection searched dense-only.
    pub notes: Vec<String>,
}

/// The note for a collection made before hybrid search.
pub const DENSE_ONLY_NOTE: &str = "this collection has no lexical vectors (made before hybrid search), so it was \
     searched by meaning only; `weir run --mode rebuild` upgrades it to hybrid search";

impl Pipeline {
    /// Searches the pipeline's collection for `text`: identifier matches first, then the
    /// `mode` ranking (dense and lexical fused with `fusion` for hybrid), at most `k` hits.
    /// `filter` is a JSON object of `field: value` pairs every hit must match; its fields must
    /// have payload indexes. See [`Pipeline::search_detailed`] for the notes.
    pub async fn search(
        &mut self,
        text: &str,
        mode: SearchMode,
        fusion: Fusion,
        k: u32,
        filter: Option<&str>,
    ) -> Result<Vec<Hit>> {
        Ok(self.search_detailed(text, mode, fusion, k, filter).await?.hits)
    }

    /// [`Pipeline::search`], with the mode used and the notes for the user.
    pub async fn search_detailed(
        &mut self,
        text: &str,
        mode: SearchMode,
        fusion: Fusion,
        k: u32,
        filter: Option<&str>,
    ) -> Result<Found> {
        let scope = Scope {
            name: &self.name,
            collection: &self.collection,
            embedder: &self.embedder,
            lexical: &self.lexical,
            lexical_template: &self.lexical_template,
            settings: &self.settings,
        };
        scope.search(&mut self.sink, text, mode, fusion, k, filter).await
    }

    /// A searcher of the pipeline's collection on its own sink instance, for searching while
    /// the pipeline runs (the status page).
    pub async fn searcher(&self) -> Result<Searcher> {
        Ok(Searcher {
            name: self.name.clone(),
            collection: self.collection.clone(),
            embedder: self.embedder.clone(),
            lexical: self.lexical.clone(),
            lexical_template: self.lexical_template.clone(),
            settings: self.settings.clone(),
            sink: self.sink.fork().await?,
        })
    }
}

/// Searches one pipeline's collection on a sink instance of its own (see
/// [`Pipeline::searcher`]); the same search as [`Pipeline::search`].
pub struct Searcher {
    name: String,
    collection: String,
    embedder: Arc<dyn Embedder>,
    lexical: Arc<LexicalEncoder>,
    lexical_template: Template,
    settings: PipelineSettings,
    sink: SinkInstance,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher")
            .field("name", &self.name)
            .field("collection", &self.collection)
            .finish_non_exhaustive()
    }
}

impl Searcher {
    /// As [`Pipeline::search`].
    pub async fn search(
        &mut self,
        text: &str,
        mode: SearchMode,
        fusion: Fusion,
        k: u32,
        filter: Option<&str>,
    ) -> Result<Vec<Hit>> {
        Ok(self.search_detailed(text, mode, fusion, k, filter).await?.hits)
    }

    /// As [`Pipeline::search_detailed`].
    pub async fn search_detailed(
        &mut self,
        text: &str,
        mode: SearchMode,
        fusion: Fusion,
        k: u32,
        filter: Option<&str>,
    ) -> Result<Found> {
        let scope = Scope {
            name: &self.name,
            collection: &self.collection,
            embedder: &self.embedder,
            lexical: &self.lexical,
            lexical_template: &self.lexical_template,
            settings: &self.settings,
        };
        scope.search(&mut self.sink, text, mode, fusion, k, filter).await
    }

    /// The payload fields a result shows.
    pub fn display(&self) -> &[String] {
        &self.settings.display
    }
}

/// What a search needs besides the sink instance.
struct Scope<'a> {
    name: &'a str,
    collection: &'a str,
    embedder: &'a Arc<dyn Embedder>,
    lexical: &'a Arc<LexicalEncoder>,
    lexical_template: &'a Template,
    settings: &'a PipelineSettings,
}

impl Scope<'_> {
    async fn search(
        &self,
        sink: &mut SinkInstance,
        text: &str,
        mode: SearchMode,
        fusion: Fusion,
        k: u32,
        filter: Option<&str>,
    ) -> Result<Found> {
        let usage = |message: String| Error::Usage(message);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(usage("the search query is empty; type what you are looking for".into()));
        }
        if k == 0 {
            return Err(usage("the number of results must be at least 1".into()));
        }
        let mut notes = Vec::new();
        let query = match trimmed.char_indices().nth(MAX_QUERY_CHARS) {
            Some((cut, _)) => {
                notes.push(format!(
                    "the query has {} characters; only its first {MAX_QUERY_CHARS} were searched",
                    trimmed.chars().count()
                ));
                &trimmed[..cut]
            }
            None => trimmed,
        };
        let filter = self.check_filter(filter)?;

        let info = sink.describe(self.collection).await?;
        let mode = match (mode, info.lexical) {
            (SearchMode::Hybrid, false) => {
                notes.push(DENSE_ONLY_NOTE.to_owned());
                SearchMode::Dense
            }
            (SearchMode::Sparse, false) => {
                return Err(usage(format!(
                    "collection `{}` has no lexical vectors (made before hybrid search), so it cannot be searched \
                     by words alone; `weir run --mode rebuild` upgrades it to hybrid search",
                    self.collection
                )));
            }
            (m, _) => m,
        };

        let mut hits = self.identifier_hits(sink, query, k, filter.as_ref()).await?;
        let dense = match mode {
            SearchMode::Hybrid | SearchMode::Dense => Some(self.embed_query(query).await?),
            SearchMode::Sparse => None,
        };
        let sparse = match mode {
            SearchMode::Hybrid | SearchMode::Sparse => {
                let encoder = self.lexical.clone();
                let q = query.to_owned();
                let v = tokio::task::spawn_blocking(move || encoder.query(&q))
                    .await
                    .map_err(|e| Error::Internal(format!("the lexical encoder failed: {e}")))?;
                Some(SparseVector { indices: v.indices, values: v.values })
            }
            SearchMode::Dense => None,
        };
        // A query of only stop words has no lexical vector: its ranking is the dense one, or
        // nothing in a sparse search.
        let sparse = sparse.filter(|s| !s.indices.is_empty());
        if dense.is_none() && sparse.is_none() {
            return Ok(Found { hits, mode, notes });
        }
        let filter = filter.map(|f| Value::Object(f).to_string());
        // Feedback only for a search of words: a query that named an identifier asked for
        // that product, and the rest of its list is not worth a second ranking.
        let sparse = match sparse {
            Some(s) if hits.is_empty() && feedback_enabled() => {
                let first = Query {
                    vector: dense.clone(),
                    sparse: Some(s.clone()),
                    fusion,
                    k: FEEDBACK_POOL as u32,
                    filter: filter.clone(),
                };
                let top = sink.search(self.collection, &first).await?;
                let texts: Vec<String> = top
                    .iter()
                    .map(|p| match serde_json::from_str::<Value>(&p.payload) {
                        Ok(v) => self.lexical_template.render(&v),
                        Err(_) => String::new(),
                    })
                    .collect();
                let added = feedback_terms(self.lexical, &s, &texts);
                Some(with_terms(s, &added))
            }
            other => other,
        };
        let ranked = Query { vector: dense, sparse, fusion, k, filter };
        let points = sink.search(self.collection, &ranked).await?;
        for p in points {
            if hits.len() >= k as usize {
                break;
            }
            if hits.iter().any(|h| h.id == p.id) {
                continue;
            }
            hits.push(hit(p.id, p.score, &p.payload, Match::Ranked));
        }
        Ok(Found { hits, mode, notes })
    }

    /// The dense vector of a query (with the model's query prefix).
    async fn embed_query(&self, query: &str) -> Result<Vec<f32>> {
        let mut vectors = self.embedder.embed(&[query.to_owned()], Purpose::Query).await?;
        vectors.pop().ok_or_else(|| Error::Internal("the embedder returned no vector for the query".into()))
    }

    /// Points whose normalised identifiers include the query (none when the pipeline has no
    /// identifier fields, or the sink cannot answer a filter-only query).
    async fn identifier_hits(
        &self,
        sink: &mut SinkInstance,
        query: &str,
        k: u32,
        filter: Option<&Map<String, Value>>,
    ) -> Result<Vec<Hit>> {
        if self.settings.identifiers.is_empty() || sink.plugin().wit_version() == "0.1.0" {
            return Ok(Vec::new());
        }
        let mut conditions = filter.cloned().unwrap_or_default();
        conditions.insert(IDS_FIELD.to_owned(), Value::String(normalise_identifier(query)));
        let found = sink.search(self.collection, &Query::filter_only(Value::Object(conditions).to_string(), k)).await?;
        Ok(found.into_iter().map(|p| hit(p.id, 1.0, &p.payload, Match::Identifier)).collect())
    }

    /// Parses a filter and makes sure each of its fields has a payload index (a filter on an
    /// unindexed field is slow on a large collection and refused by some stores).
    fn check_filter(&self, filter: Option<&str>) -> Result<Option<Map<String, Value>>> {
        let Some(filter) = filter else {
            return Ok(None);
        };
        let parsed: Value = serde_json::from_str(filter)
            .map_err(|e| Error::Usage(format!("the filter is not JSON: {e}; write it as {{\"field\": value}}")))?;
        let Value::Object(map) = parsed else {
            return Err(Error::Usage("the filter must be a JSON object of `field: value` pairs".into()));
        };
        let indexed = self.settings.payload_indexes();
        for field in map.keys() {
            if !indexed.iter().any(|i| &i.field == field) {
                return Err(Error::Usage(format!(
                    "cannot filter on `{field}`: it has no payload index in pipeline `{}`; add \
                     `indexes = {{ {field} = \"keyword\" }}` (or integer, float, bool…) to the pipeline and run it",
                    self.name
                )));
            }
        }
        Ok(Some(map))
    }
}

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
fn with_terms(query: SparseVector, added: &[(u32, f32)]) -> SparseVector {
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

/// The normalised form of an identifier: trimmed and lower-cased, so that `KON-10023 ` and
/// `kon-10023` are the same.
pub fn normalise_identifier(value: &str) -> String {
    value.trim().to_lowercase()
}

fn hit(id: String, score: f32, payload: &str, matched: Match) -> Hit {
    let payload = match serde_json::from_str(payload) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let key = payload.get(KEY_FIELD).and_then(Value::as_str).map(str::to_owned);
    Hit { id, score, key, matched, payload }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn identifiers_are_compared_trimmed_and_lower_cased() {
        assert_eq!(normalise_identifier("  KON-10023 \t"), "kon-10023");
        assert_eq!(normalise_identifier("8594001234567"), "8594001234567");
    }

    #[test]
    fn a_hit_shows_the_display_fields_it_has_in_order() {
        let h = hit(
            "id".into(),
            0.5,
            r#"{"_key": "7", "name": "Hrnec", "code": "KON-1", "price": 12.5, "brand": null}"#,
            Match::Ranked,
        );
        assert_eq!(h.key.as_deref(), Some("7"));
        let fields: Vec<String> = ["code", "name", "brand", "price"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            h.display(&fields),
            vec![("code", "KON-1".to_owned()), ("name", "Hrnec".to_owned()), ("price", "12.5".to_owned())]
        );
    }

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
