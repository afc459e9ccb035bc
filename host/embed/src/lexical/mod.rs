//! Lexical (BM25) sparse vectors: the keyword half of hybrid search.
//!
//! Dense vectors find products by meaning but cannot find a code, an EAN or a word typed
//! without its diacritics; BM25 over well-chosen tokens can. weir computes the sparse
//! vectors itself, as it computes the dense ones, and lets the vector store do the rest:
//!
//! - A **document** vector carries BM25's term-frequency part for each term,
//!   `tf·(k1+1) / (tf + k1·(1 − b + b·len/avg_len))`, with `len` the document's token count.
//! - A **query** vector carries `1.0` for each distinct term.
//! - **IDF** comes from the collection at query time: the sparse vector must be created with
//!   Qdrant's `modifier: "idf"` (Qdrant ≥ 1.10, qdrant-edge). The dot product of the two is
//!   then Σ idf(t)·tf-part(t, d) — BM25 — and stays right as the collection grows.
//!
//! This is the layout of Qdrant's own BM25 and fastembed's `Qdrant/bm25`, token ids
//! included ([`token_id`]: murmur3 of the token); only the tokens differ, made for Czech and
//! English product data: folded diacritics, Czech and English stop words, a Czech light
//! stemmer, English plurals, numbers, fractions, decimals, codes and EANs kept whole (see
//! [`LexicalEncoder`] for the rules).
//!
//! Vectors of different tokenisers or parameters must not share a collection: a query would
//! look up terms the documents never had. [`LexicalId`] names everything that changes a
//! vector, and [`ensure_lexical_compatible`] is the lexical half of the one-space-per-
//! collection guard (the dense half is [`crate::ensure_compatible`]).

mod fold;
mod hash;
mod stem;
mod stopwords;
mod tokenize;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

pub use fold::fold;
pub use hash::token_id;
pub use tokenize::MAX_TOKEN_BYTES;

use tokenize::Analyzer;

/// Name of weir's lexical model in [`LexicalId`].
pub const LEXICAL_MODEL_NAME: &str = "weir-bm25";

/// Version of the token rules (folding, splitting, stop words, stemmers, hashing). Any change
/// that can change a token of some text bumps it, so that the guard asks for a rebuild
/// instead of mixing old and new terms in one collection.
pub const TOKENIZER_VERSION: u32 = 1;

/// BM25 term-frequency saturation (Qdrant's and Lucene's default).
pub const DEFAULT_K1: f32 = 1.2;

/// BM25 length normalisation, 0 none … 1 full (Qdrant's and Lucene's default).
pub const DEFAULT_B: f32 = 0.75;

/// Expected document length in tokens. A product's name, a short description and its codes
/// come to a few dozen tokens after stop words; Qdrant's default of 256 is made for
/// articles and would make every product look short.
pub const DEFAULT_AVG_DOC_LEN: f32 = 64.0;

/// A language whose stop words and stemmer apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Language {
    /// Czech: stop words and the light stemmer (case endings, possessives).
    #[serde(rename = "cs", alias = "czech")]
    Czech,
    /// English: stop words and plural stripping.
    #[serde(rename = "en", alias = "english")]
    English,
}

impl Language {
    /// ISO 639-1 code, as used in [`LexicalId`].
    pub fn code(self) -> &'static str {
        match self {
            Language::Czech => "cs",
            Language::English => "en",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "cs" => Some(Language::Czech),
            "en" => Some(Language::English),
            _ => None,
        }
    }
}

/// How lexical vectors are made. Every field changes vectors, so every field is part of the
/// [`LexicalId`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LexicalConfig {
    /// Term-frequency saturation, finite and ≥ 0 (0: a term counts once however often).
    pub k1: f32,
    /// Length normalisation, in `[0, 1]`.
    pub b: f32,
    /// Expected document length in tokens, finite and > 0.
    pub avg_doc_len: f32,
    /// Languages whose stop words and stemmers apply; none: only folding and splitting.
    pub languages: Vec<Language>,
}

impl Default for LexicalConfig {
    fn default() -> Self {
        Self {
            k1: DEFAULT_K1,
            b: DEFAULT_B,
            avg_doc_len: DEFAULT_AVG_DOC_LEN,
            languages: vec![Language::Czech, Language::English],
        }
    }
}

impl LexicalConfig {
    /// Checks the parameters (no IO).
    pub fn validate(&self) -> Result<()> {
        if !self.k1.is_finite() || self.k1 < 0.0 {
            return Err(Error::Config(format!("lexical k1 must be a finite number ≥ 0, got {}", self.k1)));
        }
        if !self.b.is_finite() || !(0.0..=1.0).contains(&self.b) {
            return Err(Error::Config(format!("lexical b must be between 0 and 1, got {}", self.b)));
        }
        if !self.avg_doc_len.is_finite() || self.avg_doc_len <= 0.0 {
            return Err(Error::Config(format!(
                "lexical avg_doc_len must be a finite number of tokens > 0, got {}",
                self.avg_doc_len
            )));
        }
        Ok(())
    }
}

/// A sparse vector in Qdrant's shape: `indices` strictly increasing, one value each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseVector {
    /// Term ids ([`token_id`]), sorted, without duplicates.
    pub indices: Vec<u32>,
    /// The weight of each term, in the order of `indices`.
    pub values: Vec<f32>,
}

impl SparseVector {
    /// Number of terms.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether the vector has no terms (a text of only stop words or punctuation).
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The weight of term `index`, if present.
    pub fn get(&self, index: u32) -> Option<f32> {
        self.indices.binary_search(&index).ok().and_then(|i| self.values.get(i).copied())
    }

    /// Σ over shared terms of `self · other` (a merge of the two sorted index lists).
    pub fn dot(&self, other: &SparseVector) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while let (Some(a), Some(b)) = (self.indices.get(i), other.indices.get(j)) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.values.get(i).copied().unwrap_or(0.0) * other.values.get(j).copied().unwrap_or(0.0);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }
}

/// The identity of a lexical vector space: tokeniser version, languages and BM25
/// parameters. Its stable string form ([`LexicalId::key`], also `Display`, parsed back by
/// `FromStr`) is `weir-bm25/<languages>/v<version>?k1=<k1>&b=<b>&avg_len=<avg_doc_len>`,
/// e.g. `weir-bm25/cs-en/v1?k1=1.2&b=0.75&avg_len=64`; languages are `none` when there are
/// none. Two spaces are the same only if every part is equal.
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalId {
    /// [`TOKENIZER_VERSION`] of the tokens.
    pub version: u32,
    /// Languages, sorted and without duplicates.
    pub languages: Vec<Language>,
    /// BM25 k1.
    pub k1: f32,
    /// BM25 b.
    pub b: f32,
    /// BM25 expected document length.
    pub avg_doc_len: f32,
}

impl LexicalId {
    fn of(config: &LexicalConfig) -> Self {
        let mut languages = config.languages.clone();
        languages.sort_unstable();
        languages.dedup();
        Self { version: TOKENIZER_VERSION, languages, k1: config.k1, b: config.b, avg_doc_len: config.avg_doc_len }
    }

    /// The stable string form, to be stored with the collection.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// Whether vectors of `other` may be written next to (or searched with) vectors of `self`.
    pub fn same_space(&self, other: &LexicalId) -> bool {
        self.key() == other.key()
    }
}

impl fmt::Display for LexicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let languages = if self.languages.is_empty() {
            "none".to_owned()
        } else {
            self.languages.iter().map(|l| l.code()).collect::<Vec<_>>().join("-")
        };
        write!(
            f,
            "{LEXICAL_MODEL_NAME}/{languages}/v{}?k1={}&b={}&avg_len={}",
            self.version, self.k1, self.b, self.avg_doc_len
        )
    }
}

impl FromStr for LexicalId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::Config(format!(
                "`{s}` is not a lexical model key (`{LEXICAL_MODEL_NAME}/<languages>/v<version>?k1=…&b=…&avg_len=…`)"
            ))
        };
        let (path, query) = s.split_once('?').ok_or_else(bad)?;
        let mut parts = path.split('/');
        let (Some(LEXICAL_MODEL_NAME), Some(languages), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let version: u32 = version.strip_prefix('v').and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let languages = if languages == "none" {
            Vec::new()
        } else {
            languages.split('-').map(Language::from_code).collect::<Option<Vec<_>>>().ok_or_else(bad)?
        };
        let (mut k1, mut b, mut avg_doc_len) = (None, None, None);
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').ok_or_else(bad)?;
            let value: f32 = value.parse().map_err(|_| bad())?;
            let slot = match name {
                "k1" => &mut k1,
                "b" => &mut b,
                "avg_len" => &mut avg_doc_len,
                _ => return Err(bad()),
            };
            if slot.replace(value).is_some() {
                return Err(bad());
            }
        }
        let (Some(k1), Some(b), Some(avg_doc_len)) = (k1, b, avg_doc_len) else {
            return Err(bad());
        };
        let config = LexicalConfig { k1, b, avg_doc_len, languages };
        config.validate()?;
        let mut id = LexicalId::of(&config);
        id.version = version;
        Ok(id)
    }
}

/// Refuses to let an encoder of `encoder`'s space write into (or query) a collection whose
/// sparse vectors were made in `recorded`'s, unless the two are the same space. `None`
/// means the collection has no lexical vectors yet. Call it before any write.
pub fn ensure_lexical_compatible(recorded: Option<&LexicalId>, encoder: &LexicalId) -> Result<()> {
    let Some(recorded) = recorded else {
        return Ok(());
    };
    if recorded.same_space(encoder) {
        return Ok(());
    }
    let why = if recorded.version != encoder.version {
        format!(
            "its terms come from tokeniser version {}, this weir makes version {}",
            recorded.version, encoder.version
        )
    } else if recorded.languages != encoder.languages {
        "the stop words and stemmers differ, so the same word becomes different terms".to_owned()
    } else {
        "the BM25 parameters differ, so term weights would not be comparable".to_owned()
    };
    Err(Error::IncompatibleModel(format!(
        "the collection's sparse vectors were made by {recorded} but the lexical encoder is {encoder}: {why}. \
         Nothing was written. Configure the recorded settings again, or rebuild into a new collection"
    )))
}

/// Turns texts into BM25 sparse vectors (see the module docs for the weighting).
///
/// Tokens, in order:
/// 1. Fold: lower-case, strip diacritics (`Kuřecí` and `kureci` are the same), compatibility
///    forms to plain ones (`m²` → `m2`, `½` → `1/2`), typographic dashes to `-`.
/// 2. Split into compounds of letters and digits joined by `-` `_` `/` `.` `,` or glued;
///    numbers keep one decimal separator (`2,5` = `2.5`) or fraction slash (`1/1`); codes
///    give their parts and their whole (`KON-10023` → `kon`, `10023`, `kon10023`); an EAN is
///    one token; glued units split (`20l` → `20`, `l`, plus the whole `20l`).
/// 3. Words: drop stop words of the configured languages, strip English plurals, stem
///    Czech (light stemmer on the folded word, so typed diacritics never matter).
///
/// Pure computation, no IO; share one encoder between threads.
#[derive(Debug, Clone)]
pub struct LexicalEncoder {
    config: LexicalConfig,
    id: LexicalId,
    analyzer: Analyzer,
}

impl LexicalEncoder {
    /// An encoder for a validated `config`.
    pub fn new(config: LexicalConfig) -> Result<Self> {
        config.validate()?;
        let id = LexicalId::of(&config);
        let analyzer = Analyzer::new(&id.languages);
        Ok(Self { config, id, analyzer })
    }

    /// The identity to record with the collection and check with [`ensure_lexical_compatible`].
    pub fn id(&self) -> &LexicalId {
        &self.id
    }

    /// The configuration.
    pub fn config(&self) -> &LexicalConfig {
        &self.config
    }

    /// The document vector of `text`: each term's BM25 term-frequency weight. Empty when the
    /// text has no tokens (only stop words, punctuation or nothing).
    pub fn document(&self, text: &str) -> SparseVector {
        let mut ids = Vec::with_capacity(text.len() / 6 + 1);
        self.analyzer.tokens(text, |t| ids.push(token_id(t)));
        if ids.is_empty() {
            return SparseVector::default();
        }
        let norm = self.norm(ids.len());
        ids.sort_unstable();
        let k1 = f64::from(self.config.k1);
        let mut vector = SparseVector::default();
        for run in ids.chunk_by(|x, y| x == y) {
            let tf = run.len() as f64;
            vector.indices.push(run[0]);
            vector.values.push((tf * (k1 + 1.0) / (tf + norm)) as f32);
        }
        vector
    }

    /// [`Self::document`] with `extra` terms (sorted by index) counted as if each occurred its
    /// weight's number of times (a fraction allowed), without lengthening the text: terms a
    /// record is known to mean without holding them, such as its words' learned
    /// translations. An extra term the text holds already keeps the text's own weight.
    pub fn document_expanded(&self, text: &str, extra: &[(u32, f32)]) -> SparseVector {
        if extra.is_empty() {
            return self.document(text);
        }
        let mut ids = Vec::with_capacity(text.len() / 6 + 1);
        self.analyzer.tokens(text, |t| ids.push(token_id(t)));
        let norm = self.norm(ids.len().max(1));
        let mut counts: Vec<(u32, f64)> = Vec::with_capacity(ids.len() + extra.len());
        ids.sort_unstable();
        for run in ids.chunk_by(|x, y| x == y) {
            counts.push((run[0], run.len() as f64));
        }
        let own = counts.len();
        for &(id, weight) in extra {
            if weight > 0.0 && counts[..own].binary_search_by_key(&id, |c| c.0).is_err() {
                counts.push((id, f64::from(weight)));
            }
        }
        counts.sort_unstable_by_key(|c| c.0);
        counts.dedup_by_key(|c| c.0);
        let k1 = f64::from(self.config.k1);
        let mut vector = SparseVector::default();
        for (id, tf) in counts {
            vector.indices.push(id);
            vector.values.push((tf * (k1 + 1.0) / (tf + norm)) as f32);
        }
        vector
    }

    /// BM25's length normalisation for a text of `len` tokens: k1 × (1 − b + b × len / avgdl).
    fn norm(&self, len: usize) -> f64 {
        let k1 = f64::from(self.config.k1);
        let b = f64::from(self.config.b);
        k1 * (1.0 - b + b * len as f64 / f64::from(self.config.avg_doc_len))
    }

    /// The query vector of `text`: `1.0` for each distinct term (the collection's IDF
    /// weighs them). Empty when the text has no tokens; the caller decides whether an empty
    /// query is an error or an empty result.
    pub fn query(&self, text: &str) -> SparseVector {
        let mut ids = Vec::new();
        self.analyzer.tokens(text, |t| ids.push(token_id(t)));
        ids.sort_unstable();
        ids.dedup();
        let values = vec![1.0; ids.len()];
        SparseVector { indices: ids, values }
    }

    /// The tokens of `text` in order, repeats included: what [`Self::document`] counts, for
    /// explaining a match.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.analyzer.tokens(text, |t| out.push(t.to_owned()));
        out
    }
}
