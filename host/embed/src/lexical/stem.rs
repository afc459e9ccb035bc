//! Light stemming of folded tokens: Czech case endings and English plurals.
//!
//! Both stemmers work on the *folded* token (`kureciho`, never `kuřecího`), so a word typed
//! with or without diacritics always gets the same stem; the suffix lists are the published
//! ones with their diacritics folded away. Both run on every word, English first, because a
//! token's language cannot be told from a folded product name: an English word passing the
//! Czech rules (or the other way round) still reduces the same way in the document and in
//! the query, which is all BM25 needs. Tokens that are not ASCII after folding (other
//! scripts) are left alone.

/// Czech light stemming after Dolamic & Savoy ("Indexing and stemming approaches for the
/// Czech language", 2009; the light variant Lucene ships as `CzechStemmer`), on folded text:
///
/// 1. remove one case ending, longest first, each only on words long enough
///    (`atech`; `etem`, `atum`; `ech ich eho emi emu ete eti iho imi imu ach ata aty ych ama
///    ami ove ovi ymi`; `em es im um at am ym mi ou`; a final vowel `a e i o u y`);
/// 2. remove a possessive ending (`ov`, `in`, `uv`) from words still longer than five;
/// 3. normalise the stem's last two letters: drop a fleeting `e` before the final consonant
///    (hrn**e**c / hrnce, pán**e**v / pánve, šál**e**k / šálky), or turn a penultimate `u`
///    into `o` (st**ů**l / stolu, n**ů**ž / nože, s**ů**l / soli — folded, `ů` is `u`).
///
/// Unlike the published light stemmer this one keeps a final `os` / `us`: the loan words
/// that lose it when declined (`rytmus` / `rytmu`) are rare in a catalogue, the foods that
/// keep it are not (`losos` / `lososa`, `kokos`, `džus`, `kuskus`). Nor does it rewrite the
/// palatalised endings `c`/`č` → `k`, `z`/`ž` → `h`, `čt` → `ck`, `št` → `sk`: in a catalogue they
/// merge words staff must keep apart (`hrnec` pot and `hrnek` mug become one stem), while
/// the forms they join (`ruka` / `ruce`) are rare in product texts.
pub(crate) fn czech(word: &mut String) {
    if !word.is_ascii() {
        return;
    }
    remove_case(word);
    remove_possessive(word);
    normalise(word);
}

const CASE_5: &[&str] = &["atech"];
const CASE_4: &[&str] = &["etem", "atum"];
const CASE_3: &[&str] = &[
    "ech", "ich", "eho", "emi", "emu", "ete", "eti", "iho", "imi", "imu", "ach", "ata", "aty", "ych", "ama", "ami",
    "ove", "ovi", "ymi",
];
const CASE_2: &[&str] = &["em", "es", "im", "um", "at", "am", "ym", "mi", "ou"];

fn remove_case(w: &mut String) {
    let n = w.len();
    let cut = if n > 7 && ends_with_any(w, CASE_5) {
        5
    } else if n > 6 && ends_with_any(w, CASE_4) {
        4
    } else if n > 5 && ends_with_any(w, CASE_3) {
        3
    } else if n > 4 && ends_with_any(w, CASE_2) {
        2
    } else if n > 3 && w.ends_with(['a', 'e', 'i', 'o', 'u', 'y']) {
        1
    } else {
        0
    };
    w.truncate(n - cut);
}

fn remove_possessive(w: &mut String) {
    if w.len() > 5 && ends_with_any(w, &["ov", "in", "uv"]) {
        w.truncate(w.len() - 2);
    }
}

fn normalise(w: &mut String) {
    let n = w.len();
    if n < 3 {
        return;
    }
    match w.as_bytes()[n - 2] {
        b'e' => {
            w.remove(n - 2);
        }
        b'u' => w.replace_range(n - 2..n - 1, "o"),
        _ => {}
    }
}

fn ends_with_any(w: &str, suffixes: &[&str]) -> bool {
    suffixes.iter().any(|s| w.ends_with(s))
}

/// English plural stripping, lighter than Porter: `cherries` → `cherry`, `boxes` / `dishes`
/// / `glasses` / `sandwiches` → `box` / `dish` / `glass` / `sandwich`, `tomatoes` →
/// `tomato`, `knives` → `knife`, otherwise a final `s` goes (`cups` → `cup`).
///
/// A final `s` stays after `s`, `u` (glass, bus: not plurals), and — because the same rule
/// sees every folded Czech word — after `a`, `i` and `o`: Czech nouns end so (`losos`
/// salmon, `kokos`, `ananas`, `servis`, `guláš` folded to `gulas`) and their other forms do
/// not, so stripping would split one word into two stems. The price is that `bananas`,
/// `avocados` or `kiwis` do not meet their singulars; words shorter than four letters
/// (`gas`, `yes`) are never touched.
pub(crate) fn english(word: &mut String) {
    if word.len() < 4 || !word.ends_with('s') || !word.is_ascii() {
        return;
    }
    let irregular = match word.as_str() {
        "knives" => Some("knife"),
        "halves" => Some("half"),
        "shelves" => Some("shelf"),
        "loaves" => Some("loaf"),
        "leaves" => Some("leaf"),
        _ => None,
    };
    if let Some(singular) = irregular {
        word.clear();
        word.push_str(singular);
        return;
    }
    let n = word.len();
    if n >= 5 && word.ends_with("ies") {
        word.truncate(n - 3);
        word.push('y');
    } else if ends_with_any(word, &["sses", "shes", "ches", "xes", "zes"]) || (n >= 6 && word.ends_with("oes")) {
        word.truncate(n - 2);
    } else if !matches!(word.as_bytes()[n - 2], b'a' | b'i' | b'o' | b'u' | b's') {
        word.truncate(n - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexical::fold::fold;

    /// The full word pipeline for one word: fold, English plural, Czech case.
    fn stem(word: &str) -> String {
        let mut w = fold(word);
        english(&mut w);
        czech(&mut w);
        w
    }

    fn assert_one_stem(forms: &[&str]) {
        let first = stem(forms[0]);
        for f in forms {
            assert_eq!(stem(f), first, "`{f}` and `{}` should share a stem", forms[0]);
        }
    }

    #[test]
    fn czech_word_forms_share_a_stem() {
        assert_one_stem(&["kuřecí", "kuřecího", "kuřecím", "kuřecích", "kuřecími", "kuřecímu"]);
        assert_one_stem(&["prsa", "prsou", "prsa"]);
        assert_one_stem(&["hrnec", "hrnce", "hrncem", "hrnců", "hrncích", "hrncům"]);
        assert_one_stem(&["nádoba", "nádoby", "nádobou", "nádobě", "nádob", "nádobám"]);
        assert_one_stem(&["hrnek", "hrnku", "hrnky", "hrnkem", "hrnků"]);
        assert_one_stem(&["pánev", "pánve", "pánví", "pánvemi"]);
        assert_one_stem(&["nerezový", "nerezová", "nerezové", "nerezového", "nerezovou", "nerez"]);
        assert_one_stem(&["chlazená", "chlazené", "chlazený", "chlazeného"]);
        assert_one_stem(&["stůl", "stolu", "stoly", "stolem"]);
        assert_one_stem(&["nůž", "nože", "nožem", "nožů"]);
        assert_one_stem(&["sůl", "soli", "solí"]);
        assert_one_stem(&["talíř", "talíře", "talířů", "talířem"]);
        assert_one_stem(&["losos", "lososa", "lososem", "lososí"]);
        assert_one_stem(&["kokos", "kokosu", "kokosem"]);
    }

    #[test]
    fn folded_and_unfolded_words_stem_alike() {
        for (with, without) in [
            ("kuřecí", "kureci"),
            ("kuřecího", "kureciho"),
            ("nádobou", "nadobou"),
            ("hrnců", "hrncu"),
            ("mléko", "mleko"),
            ("myčka", "mycka"),
            ("nůž", "nuz"),
            ("krůtí", "kruti"),
            ("Šťávy", "stavy"),
        ] {
            assert_eq!(stem(with), stem(without), "{with} / {without}");
        }
    }

    #[test]
    fn different_products_keep_different_stems() {
        for (a, b) in [
            ("hrnec", "hrnek"),
            ("hrnce", "hrnky"),
            ("myčka", "mycí"),
            ("kuřecí", "krůtí"),
            ("nůž", "nůžky"),
            ("led", "lednice"),
            ("zmrzlina", "zmrzlinovač"),
            ("prsa", "stehna"),
            ("pánev", "pánek"),
            ("chicken", "kitchen"),
        ] {
            assert_ne!(stem(a), stem(b), "{a} / {b} must not merge");
        }
    }

    #[test]
    fn english_plurals_meet_their_singulars() {
        for (plural, singular) in [
            ("breasts", "breast"),
            ("chickens", "chicken"),
            ("cups", "cup"),
            ("trays", "tray"),
            ("cherries", "cherry"),
            ("boxes", "box"),
            ("dishes", "dish"),
            ("glasses", "glass"),
            ("sandwiches", "sandwich"),
            ("tomatoes", "tomato"),
            ("knives", "knife"),
            ("plates", "plate"),
            ("gloves", "glove"),
            ("fillets", "fillet"),
            ("shoes", "shoe"),
        ] {
            assert_eq!(stem(plural), stem(singular), "{plural} / {singular}");
        }
    }

    #[test]
    fn english_rule_spares_czech_words_and_non_plurals() {
        let mut w = String::from("losos");
        english(&mut w);
        assert_eq!(w, "losos");
        for word in ["ananas", "servis", "glass", "bus", "gas", "kus"] {
            let mut w = word.to_owned();
            english(&mut w);
            assert_eq!(w, word);
        }
    }

    #[test]
    fn short_and_foreign_words_are_left_alone() {
        assert_eq!(stem("kg"), "kg");
        assert_eq!(stem("ml"), "ml");
        assert_eq!(stem("l"), "l");
        assert_eq!(stem("привет"), "привет");
    }
}
