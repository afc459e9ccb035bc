//! From text to tokens: fold, split into words, numbers and codes, drop stop words, stem.
//!
//! The text is folded first ([`super::fold`]); then scanned for *compounds*: letters and
//! digits, glued together (`20l`, `AB12`) or joined by one connector (`-`, `_`, `/`, `.`,
//! `,`) between two of them (`KON-10023`, `GN 1/1`, `2,5 kg`). A compound is cut into
//! *pieces* where letters meet digits and at connectors, except inside a number: a decimal
//! (`2,5` and `2.5` are both the token `2.5`) or a fraction (`1/1`) stays one piece.
//!
//! - Every piece is a token: a number as written (`65`, `8594000123456`, `1/1`, `2.5`), a
//!   word unless it is a stop word, stemmed ([`super::stem`]).
//! - The compound as a whole is one more token, its pieces concatenated without connectors,
//!   when it mixes letters and digits (`KON-10023` → `kon10023`, `AB12` → `ab12`, `20l` →
//!   `20l`) or joins words by hyphens (`wi-fi` → `wifi`, stemmed as a word). So a code
//!   typed `KON-10023`, `kon10023` or `KON 10023` always shares `kon` and `10023` with the
//!   product, and the first two also its exact whole; units glued to numbers (`20l`,
//!   `2,5kg`) match the same units written apart (`20 l`, `2.5 kg`).
//! - Single letters stay (units `l`, `g`, `m`; sizes `s`, `m`, `l`) unless they are stop
//!   words (`a`, `v`, `s`, `k`, …). Pieces longer than [`MAX_TOKEN_BYTES`] are dropped: they
//!   are hashes, URLs or noise, never words a user types.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use super::Language;
use super::fold::fold_into;
use super::stem;
use super::stopwords;

/// Longest token kept, in bytes of its folded form.
pub const MAX_TOKEN_BYTES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphanumeric()) {
        Class::Letter
    } else {
        Class::Other
    }
}

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '_' | '/' | '.' | ',')
}

/// The character starting at byte `i`, if any (folded product text is nearly all ASCII).
#[inline]
fn at(s: &str, i: usize) -> Option<char> {
    match s.as_bytes().get(i) {
        Some(b) if b.is_ascii() => Some(char::from(*b)),
        Some(_) => s.get(i..).and_then(|rest| rest.chars().next()),
        None => None,
    }
}

fn is_class(s: &str, i: usize, want: Class) -> bool {
    at(s, i).is_some_and(|c| class(c) == want)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Number,
}

#[derive(Debug, Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
    kind: Kind,
}

/// The token pipeline for one language set. Cheap to share between threads.
#[derive(Debug, Clone)]
pub(crate) struct Analyzer {
    stop_words: HashSet<&'static str, BuildHasherDefault<Fnv>>,
    /// Longest stop word: longer words skip the lookup.
    longest_stop_word: usize,
    czech: bool,
    english: bool,
}

impl Analyzer {
    pub(crate) fn new(languages: &[Language]) -> Self {
        let czech = languages.contains(&Language::Czech);
        let english = languages.contains(&Language::English);
        let mut stop_words = HashSet::default();
        if czech {
            stop_words.extend(stopwords::CZECH.iter().copied());
        }
        if english {
            stop_words.extend(stopwords::ENGLISH.iter().copied());
        }
        let longest_stop_word = stop_words.iter().map(|w| w.len()).max().unwrap_or(0);
        Self { stop_words, longest_stop_word, czech, english }
    }

    /// Calls `emit` with each token of `text` in order (a token may repeat).
    pub(crate) fn tokens(&self, text: &str, mut emit: impl FnMut(&str)) {
        let mut folded = String::new();
        fold_into(text, &mut folded);
        let s = folded.as_str();
        let mut pieces = Vec::new();
        let mut token = String::new();
        let mut whole = String::new();
        let mut i = 0;
        while let Some(c) = at(s, i) {
            if class(c) == Class::Other {
                i += c.len_utf8();
                continue;
            }
            pieces.clear();
            let mut hyphenated = false;
            loop {
                let piece = read_piece(s, i);
                pieces.push(piece);
                i = piece.end;
                let Some(next) = at(s, i) else { break };
                if class(next) != Class::Other {
                    // Letters glued to digits or the other way round.
                    continue;
                }
                let after = i + next.len_utf8();
                if is_connector(next) && at(s, after).is_some_and(|c| class(c) != Class::Other) {
                    hyphenated |= matches!(next, '-' | '_');
                    i = after;
                    continue;
                }
                break;
            }
            self.compound(s, &pieces, hyphenated, &mut token, &mut whole, &mut emit);
        }
    }

    fn compound(
        &self,
        s: &str,
        pieces: &[Piece],
        hyphenated: bool,
        token: &mut String,
        whole: &mut String,
        emit: &mut impl FnMut(&str),
    ) {
        whole.clear();
        let joined = pieces.len() > 1;
        for p in pieces {
            token.clear();
            copy_piece(&s[p.start..p.end], p.kind, token);
            if joined {
                whole.push_str(token);
            }
            match p.kind {
                Kind::Number => emit_number(token, emit),
                Kind::Word => self.emit_word(token, emit),
            }
        }
        let has_word = pieces.iter().any(|p| p.kind == Kind::Word);
        let has_number = pieces.iter().any(|p| p.kind == Kind::Number);
        if joined && has_word {
            if has_number {
                emit_number(whole, emit);
            } else if hyphenated {
                self.emit_word(whole, emit);
            }
        }
    }

    fn emit_word(&self, word: &mut String, emit: &mut impl FnMut(&str)) {
        if word.len() > MAX_TOKEN_BYTES
            || (word.len() <= self.longest_stop_word && self.stop_words.contains(word.as_str()))
        {
            return;
        }
        if self.english {
            stem::english(word);
        }
        if self.czech {
            stem::czech(word);
        }
        if !word.is_empty() {
            emit(word);
        }
    }
}

/// FNV-1a for the stop-word set: its keys are a few short strings, and SipHash's
/// flooding resistance buys nothing there while costing a noticeable share of encoding.
#[derive(Debug)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().fold(self.0, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3));
    }
}

/// Numbers and codes are kept as written (no stop words, no stemming).
fn emit_number(token: &str, emit: &mut impl FnMut(&str)) {
    if !token.is_empty() && token.len() <= MAX_TOKEN_BYTES {
        emit(token);
    }
}

/// Reads the piece starting at `start` (a letter or a digit).
fn read_piece(s: &str, start: usize) -> Piece {
    let bytes = s.as_bytes();
    let skip_digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    if is_class(s, start, Class::Digit) {
        let mut end = skip_digits(start);
        // One decimal separator or fraction slash between digits stays inside the number.
        if matches!(bytes.get(end), Some(b'.' | b',' | b'/')) && is_class(s, end + 1, Class::Digit) {
            end = skip_digits(end + 1);
        }
        return Piece { start, end, kind: Kind::Number };
    }
    let mut end = start;
    while let Some(c) = at(s, end) {
        if class(c) == Class::Letter {
            end += c.len_utf8();
        } else if c == '\'' && is_class(s, end + 1, Class::Letter) {
            // An apostrophe inside a word (`mcdonald's`) joins it.
            end += 1;
        } else {
            break;
        }
    }
    Piece { start, end, kind: Kind::Word }
}

/// The token text of a piece: apostrophes dropped, a decimal comma written as a point.
fn copy_piece(piece: &str, kind: Kind, out: &mut String) {
    if !piece.contains(['\'', ',']) {
        out.push_str(piece);
        return;
    }
    match kind {
        Kind::Word => out.extend(piece.chars().filter(|c| *c != '\'')),
        Kind::Number => out.extend(piece.chars().map(|c| if c == ',' { '.' } else { c })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let a = Analyzer::new(&[Language::Czech, Language::English]);
        let mut out = Vec::new();
        a.tokens(text, |t| out.push(t.to_owned()));
        out
    }

    fn bare(text: &str) -> Vec<String> {
        let a = Analyzer::new(&[]);
        let mut out = Vec::new();
        a.tokens(text, |t| out.push(t.to_owned()));
        out
    }

    #[test]
    fn gastronorm_sizes_keep_fractions_and_numbers() {
        assert_eq!(tokens("GN 1/1 65 mm"), ["gn", "1/1", "65", "mm"]);
        assert_eq!(tokens("GN1/1"), ["gn", "1/1", "gn1/1"]);
        assert_eq!(tokens("½"), ["1/2"]);
    }

    #[test]
    fn product_codes_give_whole_and_parts() {
        assert_eq!(bare("KON-10023"), ["kon", "10023", "kon10023"]);
        assert_eq!(bare("kon10023"), ["kon", "10023", "kon10023"]);
        assert_eq!(bare("KON 10023"), ["kon", "10023"]);
        assert_eq!(bare("KON–10023"), bare("KON-10023"));
        assert_eq!(bare("AB-12-X"), ["ab", "12", "x", "ab12x"]);
        // Digits alone joined by hyphens are ranges or dates, not codes.
        assert_eq!(bare("10-20"), ["10", "20"]);
    }

    #[test]
    fn ean_13_is_one_token() {
        assert_eq!(tokens("EAN 8594001234567"), ["ean", "8594001234567"]);
        assert_eq!(tokens("8594001234567"), ["8594001234567"]);
    }

    #[test]
    fn units_glued_to_numbers_split_like_written_apart() {
        assert_eq!(tokens("20l"), ["20", "l", "20l"]);
        assert_eq!(tokens("20 l"), ["20", "l"]);
        assert_eq!(tokens("2,5kg"), ["2.5", "kg", "2.5kg"]);
        assert_eq!(tokens("2,5 kg"), ["2.5", "kg"]);
        assert_eq!(tokens("2.5 kg"), ["2.5", "kg"]);
        assert_eq!(tokens("1,5 %"), ["1.5"]);
    }

    #[test]
    fn punctuation_between_words_separates_them() {
        assert_eq!(bare("hrnec, poklice. víko"), ["hrnec", "poklice", "viko"]);
        assert_eq!(bare("nerez/plast"), ["nerez", "plast"]);
        assert_eq!(bare("hrnec,poklice"), ["hrnec", "poklice"]);
        assert_eq!(bare("(20 l)"), ["20", "l"]);
        assert_eq!(bare("Wi-Fi"), ["wi", "fi", "wifi"]);
        assert_eq!(bare("McDonald’s"), ["mcdonalds"]);
        assert_eq!(bare("end."), ["end"]);
    }

    #[test]
    fn stop_words_go_and_short_meaningful_tokens_stay() {
        assert_eq!(tokens("hrnec s poklicí a víkem pro 20 l"), ["hrnc", "poklic", "vik", "20", "l"]);
        assert_eq!(tokens("the pot with a lid"), ["pot", "lid"]);
        assert_eq!(tokens("velikost S, M, L"), ["velikost", "m", "l"]);
        assert_eq!(tokens("60 x 40 cm"), ["60", "40", "cm"]);
        assert!(tokens("a v na s pro the of").is_empty());
    }

    #[test]
    fn only_the_configured_languages_apply() {
        let czech = Analyzer::new(&[Language::Czech]);
        let mut out = Vec::new();
        czech.tokens("the kuřecí", |t| out.push(t.to_owned()));
        assert_eq!(out, ["the", "kurc"]);
        assert_eq!(bare("the kuřecí"), ["the", "kureci"]);
    }

    #[test]
    fn overlong_pieces_are_dropped_and_nothing_panics() {
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(bare(&format!("hrnec {long} 20")), ["hrnec", "20"]);
        let digits = "1".repeat(200);
        assert_eq!(bare(&format!("{digits}l")), ["l"]);
        for odd in
            ["", "   ", "-/.,", "--a--", "1/", "/1", "1//2", "a'", "'a", "…", "🍕🍔", "\u{0301}", "1,,2", "1.2.3"]
        {
            let _ = tokens(odd);
        }
        assert_eq!(bare("1.2.3"), ["1.2", "3"]);
        assert_eq!(bare("1//2"), ["1", "2"]);
    }

    #[test]
    fn other_scripts_make_tokens_too() {
        assert_eq!(tokens("Привет мир"), ["привет", "мир"]);
        assert_eq!(tokens("寿司 sushi"), ["寿司", "sush"]);
    }
}
