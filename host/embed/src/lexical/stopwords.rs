//! Czech and English stop words, folded (the form tokens are compared in).
//!
//! Short curated lists of function words that carry nothing in a product text. Left out on
//! purpose: negations and "without" (`bez lepku` gluten-free, `no sugar`, `without`), and
//! words that are function words in one language but products or product words in the other
//! (Czech `ale` "but" is English ale, Czech `pod` "under" is a coffee pod). `x` is listed
//! because it only ever separates dimensions (`60 x 40`).

/// Czech function words (pronouns, prepositions, conjunctions, auxiliaries), diacritics
/// folded: `až` is `az`, `při` is `pri`.
pub(crate) const CZECH: &[&str] = &[
    "a", "aby", "ani", "apod", "atd", "az", "by", "byl", "byla", "byli", "bylo", "byt", "cca", "ci", "co", "coz",
    "dle", "do", "i", "jak", "jako", "je", "jeho", "jej", "jeji", "jejich", "jen", "jeste", "jez", "ji", "jim", "jiz",
    "jsem", "jsi", "jsme", "jsou", "jste", "k", "kam", "kde", "kdo", "kdy", "kdyz", "ke", "ktera", "ktere", "kteri",
    "kterou", "ktery", "kterych", "kterym", "ma", "maji", "mezi", "mu", "muze", "na", "nad", "nam", "nas", "nebo",
    "nez", "ni", "o", "od", "ode", "po", "pokud", "pouze", "pri", "pro", "proto", "pred", "resp", "s", "se", "si",
    "sve", "svuj", "ta", "tak", "take", "tam", "tato", "te", "tedy", "ten", "tento", "teto", "tim", "tj", "to",
    "tohle", "toho", "tohoto", "tom", "tomto", "tomu", "toto", "tu", "tuto", "ty", "tyto", "tzv", "u", "uz", "v",
    "vam", "vas", "ve", "velmi", "x", "z", "za", "ze",
];

/// English function words.
pub(crate) const ENGLISH: &[&str] = &[
    "a", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "each", "for", "from", "has",
    "have", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "per", "so", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were", "which", "will",
    "with", "x", "you", "your",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexical::fold::fold;

    #[test]
    fn lists_are_folded_lower_case_and_without_duplicates() {
        for list in [CZECH, ENGLISH] {
            for w in list {
                assert_eq!(fold(w), *w, "`{w}` must be listed in its folded form");
            }
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len());
        }
    }

    #[test]
    fn meaningful_words_are_not_stop_words() {
        for w in ["bez", "ne", "ale", "pod", "no", "not", "without", "kg", "l", "ks"] {
            assert!(!CZECH.contains(&w) && !ENGLISH.contains(&w), "`{w}` carries meaning");
        }
    }
}
