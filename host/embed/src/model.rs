//! Model identity: what produced a vector, and the text rules that go with it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Which kind of provider produced the vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// An OpenAI-compatible `/v1/embeddings` endpoint.
    OpenAi,
    /// A local ONNX model.
    Local,
    /// The deterministic, non-semantic hash embedder.
    Hash,
}

impl Provider {
    /// The stable name used in [`ModelId::key`].
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::Local => "local",
            Provider::Hash => "hash",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Distance the vectors are meant to be compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Distance {
    /// Cosine similarity (all of weir's embedders return unit vectors).
    #[default]
    Cosine,
    /// Dot product.
    Dot,
    /// Euclidean distance.
    Euclid,
}

/// What a text is embedded for; asymmetric models (e5) prefix the two differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Purpose {
    /// A search query.
    Query,
    /// A document stored in the collection.
    Passage,
}

/// The identity of an embedding model: vectors of two different identities never mix.
///
/// The stable string form ([`ModelId::key`], also `Display`) is
/// `provider:name@dimension`, e.g. `local:multilingual-e5-small@384`; it keys the embedding
/// cache. Compatibility between a collection and an embedder is decided by name, dimension,
/// distance and semanticness, not by provider, so the same model served elsewhere (e.g. e5
/// behind an OpenAI-compatible server) can stand in as a fallback.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelId {
    /// Provider kind.
    pub provider: Provider,
    /// Model name as the provider knows it.
    pub name: String,
    /// Vector length.
    pub dimension: u32,
    /// Intended distance.
    pub distance: Distance,
    /// Prefix put before every query text (e5: `query: `).
    pub query_prefix: String,
    /// Prefix put before every passage text (e5: `passage: `).
    pub passage_prefix: String,
    /// False for the hash embedder: its vectors carry no meaning.
    pub semantic: bool,
}

impl ModelId {
    /// A semantic, cosine model without prefixes.
    pub fn new(provider: Provider, name: impl Into<String>, dimension: u32) -> Self {
        Self {
            provider,
            name: name.into(),
            dimension,
            distance: Distance::Cosine,
            query_prefix: String::new(),
            passage_prefix: String::new(),
            semantic: true,
        }
    }

    /// Sets the query and passage prefixes.
    #[must_use]
    pub fn with_prefixes(mut self, query: impl Into<String>, passage: impl Into<String>) -> Self {
        self.query_prefix = query.into();
        self.passage_prefix = passage.into();
        self
    }

    /// The stable string form `provider:name@dimension`.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// The exact text sent to the model for `text` (prefix applied).
    pub fn text_for<'a>(&self, purpose: Purpose, text: &'a str) -> Cow<'a, str> {
        let prefix = match purpose {
            Purpose::Query => &self.query_prefix,
            Purpose::Passage => &self.passage_prefix,
        };
        if prefix.is_empty() { Cow::Borrowed(text) } else { Cow::Owned(format!("{prefix}{text}")) }
    }

    /// Whether vectors of `other` may be written next to vectors of `self`.
    pub fn same_model(&self, other: &ModelId) -> bool {
        self.name == other.name
            && self.dimension == other.dimension
            && self.distance == other.distance
            && self.semantic == other.semantic
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}@{}", self.provider, self.name, self.dimension)
    }
}

impl FromStr for ModelId {
    type Err = Error;

    /// Parses the key form. Prefixes are not part of it and come back empty; the hash
    /// provider parses as non-semantic.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::Config(format!("`{s}` is not a model key (`provider:name@dimension`)"));
        let (provider, rest) = s.split_once(':').ok_or_else(bad)?;
        let (name, dim) = rest.rsplit_once('@').ok_or_else(bad)?;
        let provider = match provider {
            "openai" => Provider::OpenAi,
            "local" => Provider::Local,
            "hash" => Provider::Hash,
            _ => return Err(bad()),
        };
        let dimension: u32 = dim.parse().map_err(|_| bad())?;
        if name.is_empty() || dimension == 0 {
            return Err(bad());
        }
        let mut id = ModelId::new(provider, name, dimension);
        id.semantic = provider != Provider::Hash;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn key_round_trips() {
        let id = ModelId::new(Provider::Local, "multilingual-e5-small", 384).with_prefixes("query: ", "passage: ");
        assert_eq!(id.key(), "local:multilingual-e5-small@384");
        let back: ModelId = id.key().parse().unwrap();
        assert!(back.same_model(&id));
        assert_eq!(id.text_for(Purpose::Query, "kuřecí prsa"), "query: kuřecí prsa");
        assert!("local:e5".parse::<ModelId>().is_err());
        assert!("nope:e5@3".parse::<ModelId>().is_err());
        let hash: ModelId = "hash:hash-trigram-v1@256".parse().unwrap();
        assert!(!hash.semantic);
    }
}
