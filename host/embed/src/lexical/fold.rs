//! Lower-casing and diacritics folding: the form every token is matched in.
//!
//! People type Czech without diacritics ("kureci prsa") as often as with them, and product
//! data mixes both. Every Latin letter is lower-cased and reduced to its base letters:
//! `Kuřecí` → `kureci`, `Straße` → `strasse`, `Łódź` → `lodz`. Combining marks are dropped,
//! so text stored decomposed (NFD) folds like composed text. A few compatibility forms
//! become what they stand for (`m²` → `m2`, `½` → `1/2`, `ﬁ` → `fi`, full-width letters and
//! digits → ASCII), and the dashes, fraction slashes and apostrophes that word processors
//! substitute become their ASCII forms, so codes and fractions read the same however typed.
//! Other scripts are lower-cased and otherwise kept.
//!
//! The table is weir's own, not a Unicode library's: tokens are stored in collections, so
//! folding must not change with a dependency upgrade ([`super::TOKENIZER_VERSION`] changes
//! instead). It was derived from the Unicode compatibility decompositions (NFKD) of
//! U+00C0–U+023F, marks removed, lower-cased, plus the letters whose stroke or ligature
//! has no decomposition (`ł` → `l`, `ø` → `o`, `đ` → `d`, `ß` → `ss`, `æ` → `ae`, `œ` → `oe`,
//! `þ` → `th`, `ħ` → `h`, `ı` → `i`, `ŧ` → `t`, `ĸ` → `k`, `ŋ` → `n`); letters of Latin
//! Extended-B without a plain base letter are only lower-cased.

/// Appends the folded form of `text` to `out`.
pub(crate) fn fold_into(text: &str, out: &mut String) {
    out.reserve(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(folded) = latin(c) {
            out.push_str(folded);
        } else if is_combining_mark(c) {
            // Dropped: the letter it modifies has been written already.
        } else if let Some(plain) = compatibility(c) {
            out.push_str(plain);
        } else if let Some(ascii) = full_width(c) {
            out.push(ascii.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                match latin(l) {
                    Some(folded) => out.push_str(folded),
                    None if is_combining_mark(l) => {}
                    None => out.push(l),
                }
            }
        } else {
            out.push(punctuation(c));
        }
    }
}

/// The folded form of `text`: lower-cased, diacritics removed (`Kuřecí` → `kureci`), the
/// form the tokeniser matches words in.
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

/// The folded form of a letter in U+00C0–U+023F, if it has one.
#[inline]
fn latin(c: char) -> Option<&'static str> {
    let i = (c as u32).checked_sub(0xc0)?;
    LATIN.get(i as usize).copied().filter(|f| !f.is_empty())
}

/// Combining diacritical marks (the blocks in use for Latin, Greek and Cyrillic text).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// Compatibility characters met in product data, as their decomposition spells them.
fn compatibility(c: char) -> Option<&'static str> {
    Some(match c {
        '¹' => "1",
        '²' => "2",
        '³' => "3",
        'ª' => "a",
        'º' => "o",
        '¼' => "1/4",
        '½' => "1/2",
        '¾' => "3/4",
        '⅓' => "1/3",
        '⅔' => "2/3",
        '⅛' => "1/8",
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        'ﬅ' | 'ﬆ' => "st",
        _ => return None,
    })
}

/// Full-width forms of ASCII (U+FF01–U+FF5E), as typed with East Asian input methods.
fn full_width(c: char) -> Option<char> {
    if matches!(c, '\u{ff01}'..='\u{ff5e}') { char::from_u32(c as u32 - 0xfee0) } else { None }
}

/// Typographic variants of the few punctuation marks the tokeniser gives a meaning.
fn punctuation(c: char) -> char {
    match c {
        // Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus.
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        // Fraction slash and division slash.
        '\u{2044}' | '\u{2215}' => '/',
        // Typographic apostrophes and the modifier letter apostrophe.
        '\u{2018}' | '\u{2019}' | '\u{02bc}' => '\'',
        other => other,
    }
}

/// Folded forms of U+00C0–U+023F; `""`: not a letter (`×`, `÷`) or no plain base letter.
#[rustfmt::skip]
const LATIN: [&str; 384] = [
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // U+00C0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss", // U+00D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // U+00E0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y", // U+00F0
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d", // U+0100
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g", // U+0110
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i", // U+0120
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", // U+0130
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o", // U+0140
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s", // U+0150
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", // U+0160
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s", // U+0170
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", // U+0180
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", // U+0190
    "o", "o", "", "", "", "", "", "", "", "", "", "", "", "", "", "u", // U+01A0
    "u", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", // U+01B0
    "", "", "", "", "dz", "dz", "dz", "lj", "lj", "lj", "nj", "nj", "nj", "a", "a", "i", // U+01C0
    "i", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "", "a", "a", // U+01D0
    "a", "a", "ae", "ae", "", "", "g", "g", "k", "k", "o", "o", "o", "o", "", "", // U+01E0
    "j", "dz", "dz", "dz", "g", "g", "", "", "n", "n", "a", "a", "ae", "ae", "o", "o", // U+01F0
    "a", "a", "a", "a", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o", // U+0200
    "r", "r", "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "", "", "h", "h", // U+0210
    "", "", "", "", "", "", "a", "a", "e", "e", "o", "o", "o", "o", "o", "o", // U+0220
    "o", "o", "y", "y", "", "", "", "", "", "", "", "", "", "", "", "", // U+0230
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_czech_letter_folds_to_its_base_letter() {
        let lower = "áčďéěíňóřšťúůýž";
        let upper = "ÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ";
        let base = "acdeeinorstuuyz";
        assert_eq!(fold(lower), base);
        assert_eq!(fold(upper), base);
    }

    #[test]
    fn slovak_german_and_other_latin_letters_fold() {
        assert_eq!(fold("ÄäĹĺĽľÔôŔŕ"), "aalllloorr");
        assert_eq!(fold("ÖöÜüß"), "oouuss");
        assert_eq!(fold("Łódź Øresund Æble Œuvre Đakovo"), "lodz oresund aeble oeuvre dakovo");
        assert_eq!(fold("Crème brûlée, jalapeño, açaí"), "creme brulee, jalapeno, acai");
    }

    #[test]
    fn composed_and_decomposed_input_fold_alike() {
        let composed = "Kuřecí";
        let decomposed = "Kur\u{030c}eci\u{0301}";
        assert_ne!(composed, decomposed);
        assert_eq!(fold(composed), "kureci");
        assert_eq!(fold(decomposed), "kureci");
    }

    #[test]
    fn compatibility_forms_become_plain_letters_and_digits() {
        assert_eq!(fold("ﬁlé"), "file");
        assert_eq!(fold("m²"), "m2");
        assert_eq!(fold("ＫＯＮ１２"), "kon12");
        assert_eq!(fold("½"), "1/2");
        assert_eq!(fold("1⁄2"), "1/2");
    }

    #[test]
    fn the_table_covers_latin_1_and_extended_a_letters() {
        // Every letter of U+00C0–U+017F folds to ASCII letters; the two symbols stay.
        for c in ('\u{00c0}'..='\u{017f}').filter(|c| c.is_alphabetic()) {
            let f = fold(&c.to_string());
            assert!(!f.is_empty() && f.chars().all(|l| l.is_ascii_lowercase()), "{c} → {f}");
        }
        assert_eq!(fold("×÷"), "×÷");
        assert_eq!(fold("Ǆ Ș Ț"), "dz s t");
        assert_eq!(fold("Ɛ"), "ɛ");
    }

    #[test]
    fn typographic_punctuation_is_normalised_and_symbols_are_kept_apart() {
        assert_eq!(fold("KON–10023"), "kon-10023");
        assert_eq!(fold("McDonald’s"), "mcdonald's");
        assert_eq!(fold("Cola™"), "cola™");
    }

    #[test]
    fn other_scripts_are_lower_cased_and_kept() {
        assert_eq!(fold("ΚΑΦΕΣ"), "καφεσ");
        assert_eq!(fold("Привет"), "привет");
        assert_eq!(fold("寿司"), "寿司");
    }
}
