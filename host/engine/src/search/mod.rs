//! Searching a pipeline's collection: the one search that `weir search`, the status page and
//! `weir demo` share.
//!
//! A query is looked up three ways. First as an identifier: when the query, trimmed and
//! lower-cased, equals one of a point's normalised identifiers ([`IDS_FIELD`]), that point
//! comes first, because staff who type a product code or an EAN want that product and a
//! vector of the text cannot find it. Then by meaning (the dense vector of the query) and by
//! its words (the lexical BM25 vector), the two rankings fused by the sink (RRF or DBSF).
//! Points already returned as identifier hits are not repeated, and a hybrid search that found
//! one ranks the rest by words alone (the dense neighbours of a code or an EAN are noise).
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
//! Before that round, each query term gets its translations from a table learned from the
//! catalogue's own pairs of names ([`translate`], kept by the run in [`kept`]), at a lower
//! weight: an English query reaches the products named only in Czech, and a Czech query the
//! products named only in English, where no word of the query is in their text.
//!
//! Before both, a query term the collection does not have gets the collection's closest
//! terms ([`typos`]): a typo finds what the user meant to type.
//!
//! Last, the fused ranking's first hits are ordered by how many words of the query (or their
//! translations, or corrections) each holds, most first ([`cover`]).
//!
//! The dense side embeds the query with the diacritics it was typed without put back, as the
//! catalogue spells its words ([`accents`]): the model reads "vepřová panenka" as pork, and
//! "veprova panenka" as something else. The lexical side folds diacritics anyway.
//!
//! A collection made before hybrid search (no lexical vectors) is searched dense-only, with a
//! note that a rebuild upgrades it.

pub mod accents;
pub mod cover;
pub(crate) mod expand;
mod feedback;
pub(crate) mod kept;
pub mod learn;
pub mod translate;
pub mod typos;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value};
use weir_core::{Fusion, Query, ScoredPoint, SparseVector};
use weir_embed::{Embedder, LexicalEncoder, Purpose};
use weir_runtime::SinkInstance;

use crate::error::{Error, Result};
use crate::pipeline::{KEY_FIELD, Pipeline};
use crate::settings::{IDS_FIELD, PipelineSettings};
use crate::template::Template;
use feedback::{FEEDBACK_POOL, feedback_enabled, feedback_terms, with_terms};

/// Longest query searched, in characters; a longer one is cut there (with a note). Product
/// searches are a few words; a pasted page must not cost a long embedding.
pub const MAX_QUERY_CHARS: usize = 1000;

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
    /// within one search). The order is the hits' order: a hit that covers more of the
    /// query's terms (see `search/cover.rs`) comes before one with a higher fused score.
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
            state_dir: self.state_dir.as_deref(),
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
            state_dir: self.state_dir.clone(),
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
    state_dir: Option<PathBuf>,
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
            state_dir: self.state_dir.as_deref(),
        };
        scope.search(&mut self.sink, text, mode, fusion, k, filter).await
    }

    /// The payload fields a result shows.
    pub fn display(&self) -> &[String] {
        &self.settings.display
    }
}

/// `ranking` fused by rank with the translations' own ranking ([`translate::Use::Fuse`]), or
/// as it is when there is none.
fn fuse_translated(ranking: Vec<ScoredPoint>, translated: Option<&[ScoredPoint]>) -> Vec<ScoredPoint> {
    match translated {
        Some(t) => translate::fuse_by_rank(vec![(ranking, 1.0), (t.to_vec(), translate::translate_weight())], |p| {
            p.id.as_str()
        })
        .into_iter()
        .map(|(p, score)| ScoredPoint { score, ..p })
        .collect(),
        None => ranking,
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
    /// Where the learned translations are kept (none: searched without them).
    state_dir: Option<&'a std::path::Path>,
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

        let mode = self.searchable_mode(sink, mode, &mut notes).await?;

        let mut hits = self.identifier_hits(sink, query, k, filter.as_ref()).await?;
        let kept = self.kept();
        // A query that named an identifier has no meaning to embed: in a hybrid search, what
        // follows that product is what shares the code's words (its family, its prefix), not
        // the dense neighbours of a number.
        let dense = match mode {
            SearchMode::Hybrid if !hits.is_empty() => None,
            SearchMode::Hybrid | SearchMode::Dense => {
                Some(self.embed_query(&self.spelled(query, kept.as_ref())).await?)
            }
            SearchMode::Sparse => None,
        };
        let (sparse, translations) = match mode {
            SearchMode::Hybrid | SearchMode::Sparse => {
                let encoder = self.lexical.clone();
                let q = query.to_owned();
                let v = tokio::task::spawn_blocking(move || encoder.query(&q))
                    .await
                    .map_err(|e| Error::Internal(format!("the lexical encoder failed: {e}")))?;
                let v = self.corrected(query, SparseVector { indices: v.indices, values: v.values }, kept.as_ref());
                let (v, translations) = self.translated(v, kept.as_ref());
                (Some(v), translations)
            }
            SearchMode::Dense => (None, None),
        };
        // A query of only stop words has no lexical vector: its ranking is the dense one, or
        // nothing in a sparse search.
        let sparse = sparse.filter(|s| !s.indices.is_empty());
        if dense.is_none() && sparse.is_none() {
            return Ok(Found { hits, mode, notes });
        }
        let filter = filter.map(|f| Value::Object(f).to_string());
        // The translations' own ranking ([`translate::Use::Fuse`]), deep enough for the
        // feedback pool and for `k` after fusion.
        let depth = k.max(FEEDBACK_POOL as u32);
        let translated = match translations {
            Some(t) => {
                let alone = Query { vector: None, sparse: Some(t), fusion, k: depth, filter: filter.clone() };
                Some(sink.search(self.collection, &alone).await?)
            }
            None => None,
        };
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
                Some(self.with_feedback(sink, &first, s, translated.as_deref()).await?)
            }
            other => other,
        };
        // Coverage only where words were searched: a dense search is by meaning alone.
        let cover = cover::cover_use().filter(|_| sparse.is_some());
        let ranked_k = match (cover, translated.is_some()) {
            (Some(_), _) => depth.max(cover::COVER_POOL as u32),
            (None, true) => depth,
            (None, false) => k,
        };
        let ranked = Query { vector: dense, sparse, fusion, k: ranked_k, filter: filter.clone() };
        let mut points = fuse_translated(sink.search(self.collection, &ranked).await?, translated.as_deref());
        if let Some(how) = cover {
            points = self.tiered(sink, points, query, kept.as_ref(), how, fusion, filter).await?;
        }
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

    /// `points` put in tiers by the query terms each covers ([`cover`]), with the hits of the
    /// search for the terms' translations in the pool when the query uses translations.
    #[allow(clippy::too_many_arguments)]
    async fn tiered(
        &self,
        sink: &mut SinkInstance,
        points: Vec<ScoredPoint>,
        query: &str,
        kept: Option<&kept::Kept>,
        how: cover::Cover,
        fusion: Fusion,
        filter: Option<String>,
    ) -> Result<Vec<ScoredPoint>> {
        let terms = cover::Terms::of_query(self.lexical, query, kept);
        // A search by the translations: none when the query is searched without them.
        let reach = terms.reach().filter(|_| cover::reach_enabled() && translate::translate_use().is_some());
        let reached = match reach {
            Some(r) => {
                let k = cover::REACH_POOL as u32;
                sink.search(self.collection, &Query { vector: None, sparse: Some(r), fusion, k, filter }).await?
            }
            None => Vec::new(),
        };
        Ok(cover::by_cover(points, reached, &terms, how, self.lexical, self.lexical_template))
    }

    /// The mode a search of this collection can use: hybrid falls back to dense (with a note)
    /// on a collection made before hybrid search, which cannot be searched by words alone.
    async fn searchable_mode(
        &self,
        sink: &mut SinkInstance,
        mode: SearchMode,
        notes: &mut Vec<String>,
    ) -> Result<SearchMode> {
        let info = sink.describe(self.collection).await?;
        match (mode, info.lexical) {
            (SearchMode::Hybrid, false) => {
                notes.push(DENSE_ONLY_NOTE.to_owned());
                Ok(SearchMode::Dense)
            }
            (SearchMode::Sparse, false) => Err(Error::Usage(format!(
                "collection `{}` has no lexical vectors (made before hybrid search), so it cannot be searched \
                 by words alone; `weir run --mode rebuild` upgrades it to hybrid search",
                self.collection
            ))),
            (m, _) => Ok(m),
        }
    }

    /// The lexical query `sparse` with the feedback round's terms added: read from the lexical
    /// texts of `first`'s ranking (fused with the translations' own, when there is one).
    async fn with_feedback(
        &self,
        sink: &mut SinkInstance,
        first: &Query,
        sparse: SparseVector,
        translated: Option<&[ScoredPoint]>,
    ) -> Result<SparseVector> {
        let mut top = fuse_translated(sink.search(self.collection, first).await?, translated);
        top.truncate(FEEDBACK_POOL);
        let texts: Vec<String> = top.iter().map(|p| lexical_text(self.lexical_template, &p.payload)).collect();
        let added = feedback_terms(self.lexical, &sparse, &texts);
        Ok(with_terms(sparse, &added))
    }

    /// The pipeline's kept table for this collection (translations and vocabulary), read once
    /// per search; none without a state directory or `translate`.
    fn kept(&self) -> Option<kept::Kept> {
        let (dir, fields) = (self.state_dir?, self.settings.translate_pair()?);
        kept::open(dir, self.name, self.collection, &fields, self.lexical)
    }

    /// The translations of `query`'s terms from the pipeline's learned table, when it has one
    /// for this collection (see [`kept`]): with [`translate::Use::Add`] added to the query,
    /// with [`translate::Use::Fuse`] as a query of their own (the second value; none when no
    /// term has a translation).
    fn translated(&self, query: SparseVector, kept: Option<&kept::Kept>) -> (SparseVector, Option<SparseVector>) {
        let (Some(kept), Some(usage)) = (kept, translate::translate_use()) else {
            return (query, None);
        };
        if query.indices.is_empty() {
            return (query, None);
        }
        let table = kept.translations(usage == translate::Use::Idf);
        let added = translate::translation_terms(table, &query.indices, translate::translate_weight());
        match usage {
            translate::Use::Add | translate::Use::Idf => (with_terms(query, &added), None),
            translate::Use::Fuse if added.is_empty() => (query, None),
            translate::Use::Fuse => {
                let (indices, values) = added.into_iter().unzip();
                (query, Some(SparseVector { indices, values }))
            }
        }
    }

    /// `query` as the dense side embeds it: its words typed without diacritics spelled as the
    /// catalogue spells them ([`accents`]), when the kept table has the spellings.
    fn spelled<'q>(&self, query: &'q str, kept: Option<&kept::Kept>) -> std::borrow::Cow<'q, str> {
        match kept.filter(|_| accents::accents_enabled()).and_then(|k| accents::restore(query, k.accents())) {
            Some(spelled) => spelled.into(),
            None => query.into(),
        }
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

/// The normalised form of an identifier: trimmed and lower-cased, so that `KON-10023 ` and
/// `kon-10023` are the same.
pub fn normalise_identifier(value: &str) -> String {
    value.trim().to_lowercase()
}

/// The lexical text of a hit: `template` over its payload (a JSON object; empty when it is
/// not one).
pub(crate) fn lexical_text(template: &Template, payload: &str) -> String {
    match serde_json::from_str::<Value>(payload) {
        Ok(v) => template.render(&v),
        Err(_) => String::new(),
    }
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
}
