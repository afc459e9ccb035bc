//! Learned translations on the records' side.
//!
//! A query's translations ([`super::translate`]) cannot make a Czech-named product match an
//! English query as fully as an English-named one does: the English-named product holds both
//! of its names, so for "chicken breast" an English-named turkey breast matches `breast` and,
//! through the translation, `prsa`, while a Czech-named chicken breast matches only the two
//! translations, and BM25 adds the matches of one vector up. So a record's lexical vector also
//! carries the translations of its own terms that it lacks, each counted as if it occurred
//! [`EXPAND_WEIGHT`] × its strength times (without lengthening the text): a Czech-named
//! product then holds its English words as an English-named one holds its Czech name, and
//! every product of the catalogue is in both languages on the lexical side.
//!
//! A run expands with the table kept by the last full run that learned one (the pairs are
//! only complete at the end of a read, after the records were written). The expansion is part
//! of what a point's vectors are made from, so a record whose expansion changes with a newer
//! table is rewritten by the next run that reads it, as a changed text is; the first full run
//! of a pipeline writes its records unexpanded and the next full run adds the translations.
//!
//! **Off unless [`EXPAND_ENV`] turns it on.** On the relevance benchmark it lifts
//! cross-language recall (sparse 0.53 → 0.66, hybrid 0.49 → 0.56) and the even-numbered
//! queries, but the odd-numbered half, on which variants are chosen, falls (sparse 0.81 →
//! 0.77): "myčka nádobí" then ranks dishwasher tablets above dishwashers, as every product
//! "do myčky nádobí" gets the English word for dishwasher too (`docs/BENCHMARKS.md`).

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use weir_embed::LexicalEncoder;

use super::kept;
use super::translate::translations_lacking;
use crate::pipeline::Pipeline;
use crate::state::StateDir;

/// How often a translation of strength 1 counts in a record that lacks it when [`EXPAND_ENV`]
/// is `on`: half as often as the record's own words (of 1.0 and 0.5, the better on the
/// benchmark's odd-numbered queries).
pub const EXPAND_WEIGHT: f32 = 0.5;

/// Environment variable: `on` writes records with their translations at [`EXPAND_WEIGHT`], a
/// number `0 < w ≤ 2` at that weight; unset, `off` or anything else writes them without.
pub const EXPAND_ENV: &str = "WEIR_EXPAND";

/// The weight [`EXPAND_ENV`] sets: `None` (the default) when records are written without
/// translations.
pub fn expand_weight() -> Option<f32> {
    match std::env::var(EXPAND_ENV).as_deref().map(str::trim) {
        Ok("on") => Some(EXPAND_WEIGHT),
        Ok(w) => w.parse::<f32>().ok().filter(|w| *w > 0.0 && *w <= 2.0),
        Err(_) => None,
    }
}

/// Whether a run of `pipeline` would expand its records with a kept table: false before its
/// first full run learned one (a caller that wants the translations on the records at once,
/// as `weir demo` does, then runs a second full sync).
pub fn expands_records(state: &StateDir, pipeline: &Pipeline) -> bool {
    Expander::open(state.dir(), pipeline).is_some()
}

/// Environment variable: which of a record's terms are translated, `names` (the two fields
/// the table is learned from) or `text` (the whole lexical text), to compare them; unset or
/// anything else is [`ExpandFrom::default`].
pub const EXPAND_FROM_ENV: &str = "WEIR_EXPAND_FROM";

/// Which of a record's terms are translated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExpandFrom {
    /// The terms of the two `translate` fields: the table is learned from names, and names
    /// are what a query names.
    #[default]
    Names,
    /// Every term of the lexical text (descriptions, categories, materials too).
    Text,
}

impl ExpandFrom {
    fn from_env() -> Self {
        match std::env::var(EXPAND_FROM_ENV).as_deref().map(str::trim) {
            Ok("text") => ExpandFrom::Text,
            Ok("names") => ExpandFrom::Names,
            _ => ExpandFrom::default(),
        }
    }
}

/// Environment variable: the least strength of a translation a record gets (0 ≤ s ≤ 1), to
/// compare; unset is [`EXPAND_MIN_STRENGTH`].
pub const EXPAND_MIN_ENV: &str = "WEIR_EXPAND_MIN";

/// The least strength of a translation a record gets: every translation the table holds.
pub const EXPAND_MIN_STRENGTH: f32 = 0.0;

fn expand_min_strength() -> f32 {
    std::env::var(EXPAND_MIN_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f32>().ok())
        .filter(|s| (0.0..=1.0).contains(s))
        .unwrap_or(EXPAND_MIN_STRENGTH)
}

/// A run's translations of its records' terms.
pub(crate) struct Expander {
    table: HashMap<u32, Vec<(u32, f32)>>,
    weight: f32,
    from: ExpandFrom,
    fields: [String; 2],
}

impl Expander {
    /// The expander of `pipeline`'s run: the kept table made for its collection, fields and
    /// tokeniser; `None` without `translate`, without such a table, with an empty one or
    /// with [`EXPAND_ENV`] `off`.
    pub(crate) fn open(state_dir: &Path, pipeline: &Pipeline) -> Option<Self> {
        let weight = expand_weight()?;
        let fields = pipeline.settings.translate_pair()?;
        let kept = kept::open(state_dir, &pipeline.name, &pipeline.collection, &fields, &pipeline.lexical)?;
        let min = expand_min_strength();
        let mut table = kept.translations(false).clone();
        for list in table.values_mut() {
            list.retain(|&(_, strength)| strength >= min);
        }
        table.retain(|_, list| !list.is_empty());
        (!table.is_empty()).then_some(Expander { table, weight, from: ExpandFrom::from_env(), fields })
    }

    /// The translations the record's lexical text lacks of the terms of its names (or of
    /// its whole lexical text, [`ExpandFrom::Text`]), `(term, count)` sorted by term, for
    /// [`LexicalEncoder::document_expanded`].
    pub(crate) fn terms(&self, encoder: &LexicalEncoder, fields: &Value, lexical: &str) -> Vec<(u32, f32)> {
        let held = encoder.query(lexical).indices;
        if self.from == ExpandFrom::Text {
            return translations_lacking(&self.table, &held, &held, self.weight);
        }
        let names: Vec<&str> = self.fields.iter().filter_map(|f| fields.get(f).and_then(Value::as_str)).collect();
        translations_lacking(&self.table, &encoder.query(&names.join(" · ")).indices, &held, self.weight)
    }

    #[cfg(test)]
    pub(crate) fn from_table(table: HashMap<u32, Vec<(u32, f32)>>, weight: f32, from: ExpandFrom) -> Self {
        Expander { table, weight, from, fields: ["name".to_owned(), "nazev".to_owned()] }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;
    use weir_embed::{LexicalConfig, token_id};

    use super::*;

    #[test]
    fn a_record_gets_the_translations_it_lacks_at_their_strength() {
        let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
        let (chicken, breast, kurc, prs) = (token_id("chickn"), token_id("breast"), token_id("kurc"), token_id("prs"));
        assert_eq!(encoder.query("kuřecí prsa").indices, {
            let mut v = vec![kurc, prs];
            v.sort_unstable();
            v
        });
        let table = HashMap::from([
            (kurc, vec![(chicken, 0.9)]),
            (prs, vec![(breast, 0.8)]),
            (chicken, vec![(kurc, 0.9)]),
            (breast, vec![(prs, 0.8)]),
        ]);
        let names = |name: &str, nazev: &str| json!({ "name": name, "nazev": nazev });
        let lexical = |name: &str, nazev: &str, rest: &str| format!("{name} · {nazev} · {rest}");
        let mut want = vec![(chicken, 0.9), (breast, 0.8)];
        want.sort_unstable_by_key(|p| p.0);
        for from in [ExpandFrom::Names, ExpandFrom::Text] {
            let e = Expander::from_table(table.clone(), 1.0, from);
            let terms = |a: &str, b: &str, rest: &str| e.terms(&encoder, &names(a, b), &lexical(a, b, rest));
            assert_eq!(
                terms("Kuřecí prsa", "Kuřecí prsa", "chlazená"),
                want,
                "a Czech-named record gets its English words"
            );
            assert!(terms("Chicken breast", "Kuřecí prsa", "").is_empty(), "a record with both names gets nothing");
            assert_eq!(terms("Chicken breast", "Krůtí prsa", ""), vec![(kurc, 0.9)], "only what it lacks");
            assert!(terms("Hrnec 20 l", "Hrnec 20 l", "").is_empty());
        }
        // A word outside the names is translated only from the whole text.
        let (names_only, text) = (
            Expander::from_table(table.clone(), 1.0, ExpandFrom::Names),
            Expander::from_table(table, 0.5, ExpandFrom::Text),
        );
        let fields = names("Hrnec", "Hrnec");
        let lexical = lexical("Hrnec", "Hrnec", "na kuřecí prsa");
        assert!(names_only.terms(&encoder, &fields, &lexical).is_empty());
        assert_eq!(
            text.terms(&encoder, &fields, &lexical),
            want.iter().map(|&(t, s)| (t, s * 0.5)).collect::<Vec<_>>()
        );
    }
}
