//! Lexical (BM25) encoding throughput on one core: it must stay cheap next to embedding.
//!
//! `cargo bench -p weir-embed --bench lexical_throughput [-- --texts N]` (default 100,000).
//! The texts are synthetic product records as weir renders them for the lexical side — a
//! Czech or English name, code and EAN, then a description of about 80 words mixing
//! diacritics, numbers with units and GN sizes — generated from a fixed seed, so every run
//! encodes the same bytes. Reports documents and queries per second, MB/s and the mean
//! token count (the figure `DEFAULT_AVG_DOC_LEN` should be near). Best of three rounds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use weir_embed::{LexicalConfig, LexicalEncoder};

const ROUNDS: usize = 3;

const NAMES: &[&str] = &[
    "Kuřecí prsa chlazená",
    "Hrnec nerezový s poklicí",
    "Konvektomat elektrický 10 × GN 1/1",
    "GN nádoba nerezová 1/1 65 mm",
    "Myčka nádobí podstolová",
    "Výrobník ledu s vestavěným zásobníkem",
    "Nůž kuchařský, čepel 20 cm",
    "Stainless steel stock pot with lid",
    "Chicken breast fillets, frozen",
    "Combi steamer, electric, 400 V",
    "Papírové ubrousky dvouvrstvé, bílé",
    "Cutting board, polyethylene, HACCP colour coded",
];

const WORDS: &[&str] = &[
    "vhodné",
    "pro",
    "gastronomii",
    "profesionální",
    "provoz",
    "nerezová",
    "ocel",
    "snadná",
    "údržba",
    "mytí",
    "v",
    "myčce",
    "rovnoměrné",
    "rozložení",
    "tepla",
    "indukce",
    "plyn",
    "elektřina",
    "objem",
    "hmotnost",
    "rozměry",
    "balení",
    "ks",
    "kartonu",
    "dodání",
    "do",
    "48",
    "hodin",
    "záruka",
    "24",
    "měsíců",
    "kvalita",
    "restaurace",
    "hotely",
    "jídelny",
    "catering",
    "suitable",
    "for",
    "professional",
    "kitchens",
    "dishwasher",
    "safe",
    "heavy",
    "duty",
    "with",
    "the",
    "lid",
    "and",
    "handles",
    "stackable",
    "kuřecí",
    "maso",
    "chlazené",
    "mražené",
    "čerstvé",
    "bez",
    "lepku",
    "teplota",
    "skladování",
    "°C",
    "spotřebujte",
    "do",
    "data",
    "uvedeného",
    "na",
    "obalu",
    "20l",
    "2,5kg",
    "0,3 l",
    "1/2",
    "65 mm",
    "230 V",
    "3,2 kW",
    "60 × 40 cm",
    "polévky",
    "omáčky",
    "příloh",
    "pečení",
    "vaření",
    "ohřev",
    "chlazení",
    "mražení",
    "výkon",
    "spotřeba",
    "energie",
    "třída",
];

fn corpus(n: usize) -> Vec<String> {
    // xorshift64*: fixed sequence, no dependency.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    (0..n)
        .map(|i| {
            let name = NAMES[(next() % NAMES.len() as u64) as usize];
            let mut text = format!("{name} KON-{:05} EAN 859{:010}", i % 100_000, next() % 10_000_000_000);
            let words = 70 + (next() % 21) as usize;
            for _ in 0..words {
                text.push(' ');
                text.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
            }
            text.push('.');
            text
        })
        .collect()
}

fn best<F: FnMut()>(mut f: F) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--texts")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let texts = corpus(n);
    let bytes: usize = texts.iter().map(String::len).sum();
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let encoder = LexicalEncoder::new(LexicalConfig::default()).unwrap();
    let tokens: usize = texts.iter().map(|t| encoder.tokens(t).len()).sum();
    let terms: usize = texts.iter().map(|t| encoder.document(t).len()).sum();

    let docs = best(|| {
        for t in &texts {
            black_box(encoder.document(black_box(t)));
        }
    });
    // The first three words of each name: what staff type.
    let queries: Vec<String> = texts.iter().map(|t| t.split(' ').take(3).collect::<Vec<_>>().join(" ")).collect();
    let query_time = best(|| {
        for q in &queries {
            black_box(encoder.query(black_box(q)));
        }
    });
    let secs = docs.as_secs_f64();
    println!("lexical encoder {} on one thread", encoder.id());
    println!(
        "  {n} texts, {:.1} MB, {:.1} words, {:.1} tokens and {:.1} distinct terms per text",
        bytes as f64 / 1e6,
        words as f64 / n as f64,
        tokens as f64 / n as f64,
        terms as f64 / n as f64
    );
    println!(
        "  documents: {:.0} texts/s, {:.1} MB/s ({:.2} s, best of {ROUNDS})",
        n as f64 / secs,
        bytes as f64 / 1e6 / secs,
        secs
    );
    println!("  short queries: {:.0} queries/s", n as f64 / query_time.as_secs_f64());
}
