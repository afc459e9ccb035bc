//! Diacritics put back into a query typed without them, for the dense side.
//!
//! Czech staff often type without diacritics ("vyrobnik ledu", "veprova panenka"). The
//! lexical side does not care: it folds every word. The dense model does: it learned Czech
//! with its diacritics, and "veprova panenka" lands among pancake pans ("palačinky") while
//! "vepřová panenka" lands on pork tenderloin. So before a query is embedded, each of its
//! words typed without diacritics becomes the catalogue's own spelling of it, where the
//! catalogue spells it with diacritics: the form most of its records use among the words
//! that fold to the same letters ("vyrobnik" → "výrobník"; "ledu" stays, as the catalogue
//! writes it so). A word typed with any diacritic is left as typed, and so is one the
//! catalogue does not have.
//!
//! The spellings are counted by the run that counts the vocabulary (a full or rebuild run,
//! over the records' lexical texts) and kept in the learned table ([`super::kept`]).

use std::collections::{BTreeMap, HashMap};

use weir_embed::fold;

/// Environment variable: `off` embeds the query as typed (to compare on the same
/// collection); anything else, or unset, puts the catalogue's diacritics back.
pub const ACCENTS_ENV: &str = "WEIR_SEARCH_ACCENTS";

/// Whether queries get their diacritics back ([`ACCENTS_ENV`]).
pub fn accents_enabled() -> bool {
    std::env::var(ACCENTS_ENV).map(|v| v.trim() != "off").unwrap_or(true)
}

/// The words of `text`, lower-cased: runs of letters and digits holding at least one letter.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().any(char::is_alphabetic)).map(str::to_lowercase)
}

/// Counts the spellings of a run's lexical texts: in how many records each lower-cased word is.
#[derive(Default)]
pub(crate) struct Spellings(HashMap<String, u32>);

impl Spellings {
    /// Counts one record's lexical text.
    pub(crate) fn count(&mut self, text: &str) {
        let mut seen: Vec<String> = words(text).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *self.0.entry(w).or_default() += 1;
        }
    }

    /// For each folded word the catalogue spells with diacritics in most of its records, that
    /// spelling (`vyrobnik → výrobník`). Among spellings in as many records, the first in
    /// Unicode order, so that the same records always give the same table.
    pub(crate) fn table(&self) -> BTreeMap<String, String> {
        let mut best: HashMap<String, (&str, u32)> = HashMap::new();
        for (word, &n) in &self.0 {
            let folded = fold(word);
            match best.get_mut(&folded) {
                Some((w, m)) if n > *m || (n == *m && word.as_str() < *w) => {
                    *w = word;
                    *m = n;
                }
                Some(_) => {}
                None => {
                    best.insert(folded, (word, n));
                }
            }
        }
        best.into_iter().filter(|(folded, (word, _))| folded != word).map(|(f, (w, _))| (f, w.to_owned())).collect()
    }
}

/// `query` with each word typed without diacritics spelled as the catalogue spells it
/// (`spellings`, from [`Spellings::table`]), its capitals kept; `None` when no word changes.
pub fn restore(query: &str, spellings: &BTreeMap<String, String>) -> Option<String> {
    if spellings.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(query.len() + 8);
    let mut changed = false;
    let mut rest = query;
    while let Some(start) = rest.find(char::is_alphanumeric) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find(|c: char| !c.is_alphanumeric()).unwrap_or(tail.len());
        let word = &tail[..end];
        let lower = word.to_lowercase();
        match spellings.get(&lower).filter(|_| fold(&lower) == lower) {
            Some(spelled) => {
                out.push_str(&with_capitals_of(word, spelled));
                changed = true;
            }
            None => out.push_str(word),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `spelled` (lower case) with the capitals of `typed`: all capitals, a first capital, or none.
fn with_capitals_of(typed: &str, spelled: &str) -> String {
    let mut letters = typed.chars().filter(|c| c.is_alphabetic());
    let first_upper = letters.next().is_some_and(char::is_uppercase);
    let rest_upper: Vec<bool> = letters.map(char::is_uppercase).collect();
    if first_upper && !rest_upper.is_empty() && rest_upper.iter().all(|u| *u) {
        spelled.to_uppercase()
    } else if first_upper {
        let mut chars = spelled.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
    } else {
        spelled.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn learned(texts: &[&str]) -> BTreeMap<String, String> {
        let mut s = Spellings::default();
        for t in texts {
            s.count(t);
        }
        s.table()
    }

    #[test]
    fn the_catalogues_spelling_comes_back_to_words_typed_without_diacritics() {
        let table = learned(&[
            "Výrobník ledu Hoshizaki 40 kg",
            "Výrobník tříštěného ledu",
            "Vepřová panenka chlazená",
            "Čistič nerezu 1 l",
        ]);
        assert_eq!(restore("vyrobnik ledu", &table).as_deref(), Some("výrobník ledu"));
        assert_eq!(restore("veprova panenka", &table).as_deref(), Some("vepřová panenka"));
        assert_eq!(restore("Cistic NEREZU, 1 l", &table).as_deref(), Some("Čistič NEREZU, 1 l"));
        assert_eq!(restore("CISTIC", &table).as_deref(), Some("ČISTIČ"));
    }

    #[test]
    fn typed_diacritics_unknown_words_and_plain_spellings_stay_as_typed() {
        let table = learned(&["Výrobník ledu", "výrobník", "vyrobnik", "Pán hor", "pan", "Paella pan", "Frying pan"]);
        // Typed with diacritics (even other ones): the user's own spelling.
        assert_eq!(restore("výrobnik ledu", &table), None);
        // The catalogue spells "pan" without diacritics in more records than "pán".
        assert_eq!(restore("paella pan", &table), None);
        // Not in the catalogue, or no letters.
        assert_eq!(restore("konvektomat 65 mm", &table), None);
        assert_eq!(restore("8594001234567", &table), None);
        // The most frequent spelling wins, diacritics or not.
        assert_eq!(table.get("vyrobnik").map(String::as_str), Some("výrobník"));
        assert!(!table.contains_key("pan"));
        assert!(!table.contains_key("ledu"));
    }

    #[test]
    fn a_table_counts_each_record_once_and_ties_go_the_same_way_every_time() {
        // "čaj" in two records, "caj" in one record three times: records count, not repeats.
        let table = learned(&["čaj černý", "čaj zelený", "caj caj caj"]);
        assert_eq!(table.get("caj").map(String::as_str), Some("čaj"));
        let tied = learned(&["síť", "sít"]);
        assert_eq!(tied.get("sit").map(String::as_str), Some("sít"));
        assert_eq!(learned(&["sít", "síť"]), tied);
    }

    #[test]
    fn no_table_changes_nothing() {
        assert_eq!(restore("kureci prsa", &BTreeMap::new()), None);
        assert_eq!(restore("", &learned(&["Kuřecí prsa"])), None);
    }
}
