//! The graded query set of the relevance benchmark: queries a gastro wholesaler's staff type,
//! written before any ranking existed, each judged by rules over the product attributes the
//! generator knows (type, size), never over a ranking.
//!
//! [`judge`] evaluates the rules over a generated catalogue (`Store::products` or
//! `RunningBlueJetSim::products`) and adds the code and EAN queries, derived from the
//! catalogue itself so that none is copied by hand. The benchmark runs over
//! [`BENCH_PRODUCTS`] products generated with [`BENCH_SEED`]; at that size every query has at
//! least one product of grade 3 (a test checks it). See `RELEVANCE.md` for the kinds and the
//! grading scale.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog;
use crate::data::ProductInfo;

/// Products in the benchmark catalogue.
pub const BENCH_PRODUCTS: usize = 5_000;
/// Seed of the benchmark catalogue (the simulator's default).
pub const BENCH_SEED: u64 = crate::bluejet::DEFAULT_SEED;
/// Code queries derived from the catalogue.
pub const CODE_QUERIES: usize = 8;
/// EAN queries derived from the catalogue.
pub const EAN_QUERIES: usize = 8;

/// What a query tests; the benchmark reports its measures per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryKind {
    /// A Czech query with diacritics ("kuřecí prsa"); most relevant products are Czech-named.
    SameLanguage,
    /// An English query ("chicken breast"); most relevant products are Czech-named, a share
    /// English-named.
    CrossLanguage,
    /// A Czech query typed without diacritics or with a small typo ("kureci prsa",
    /// "konvektomt").
    NoDiacritics,
    /// A type with an attribute: size, capacity, GN format and depth ("hrnec 20 l",
    /// "GN 1/1 65 mm").
    Attribute,
    /// An exact product code, as printed or lower-cased ("DRU-011234", "dru-011234").
    Code,
    /// An exact EAN-13.
    Ean,
}

impl QueryKind {
    /// Every kind, in report order.
    pub const ALL: [QueryKind; 6] = [
        QueryKind::SameLanguage,
        QueryKind::CrossLanguage,
        QueryKind::NoDiacritics,
        QueryKind::Attribute,
        QueryKind::Code,
        QueryKind::Ean,
    ];

    /// The kebab-case label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            QueryKind::SameLanguage => "same-language",
            QueryKind::CrossLanguage => "cross-language",
            QueryKind::NoDiacritics => "no-diacritics",
            QueryKind::Attribute => "attribute",
            QueryKind::Code => "code",
            QueryKind::Ean => "ean",
        }
    }
}

/// Which products a grade applies to.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Products of any of these types.
    Types(&'static [&'static str]),
    /// Products of these types whose size is one of these.
    Sized(&'static [&'static str], &'static [&'static str]),
    /// Products of these types whose size starts with this text.
    SizePrefix(&'static [&'static str], &'static str),
}

impl Rule {
    fn matches(&self, p: &ProductInfo) -> bool {
        let id = p.type_id();
        match self {
            Rule::Types(t) => t.contains(&id),
            Rule::Sized(t, sizes) => t.contains(&id) && sizes.contains(&p.size.as_str()),
            Rule::SizePrefix(t, prefix) => t.contains(&id) && p.size.starts_with(prefix),
        }
    }

    fn types(&self) -> &'static [&'static str] {
        match self {
            Rule::Types(t) | Rule::Sized(t, _) | Rule::SizePrefix(t, _) => t,
        }
    }
}

/// A written query and its judging rules: a product's grade is the highest grade of the
/// rules it matches (0 if none). Grades: 3 = what was asked for; 2 = a close substitute or
/// the same thing in another form; 1 = related, a buyer might look at it; 0 = not relevant.
#[derive(Debug, Clone, Copy)]
pub struct QuerySpec {
    pub id: &'static str,
    pub kind: QueryKind,
    pub text: &'static str,
    pub rules: &'static [(u8, Rule)],
}

/// A query with its judgments over one catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgedQuery {
    pub id: String,
    pub kind: QueryKind,
    pub text: String,
    /// Grade (1–3) per relevant `productid`; products not listed have grade 0.
    pub judgments: BTreeMap<String, u8>,
}

impl JudgedQuery {
    /// The grade of a product (0 when not relevant).
    pub fn grade(&self, key: &str) -> u8 {
        self.judgments.get(key).copied().unwrap_or(0)
    }

    /// The number of products with at least this grade.
    pub fn count_at_least(&self, grade: u8) -> usize {
        self.judgments.values().filter(|&&g| g >= grade).count()
    }

    /// The grades of the relevant products, highest first (the ideal ranking, for nDCG).
    pub fn ideal_grades(&self) -> Vec<u8> {
        let mut g: Vec<u8> = self.judgments.values().copied().collect();
        g.sort_unstable_by(|a, b| b.cmp(a));
        g
    }
}

/// Judges every query over a catalogue: the written queries ([`QUERIES`]) by their rules, and
/// [`CODE_QUERIES`] code and [`EAN_QUERIES`] EAN queries derived from evenly spaced products
/// in key order (the target product is grade 3, nothing else is relevant).
pub fn judge(products: &[ProductInfo]) -> Vec<JudgedQuery> {
    let mut out: Vec<JudgedQuery> = QUERIES
        .iter()
        .map(|q| {
            let judgments = products
                .iter()
                .filter_map(|p| {
                    let g = q.rules.iter().filter(|(_, r)| r.matches(p)).map(|(g, _)| *g).max()?;
                    (g > 0).then(|| (p.key.clone(), g))
                })
                .collect();
            JudgedQuery { id: q.id.to_string(), kind: q.kind, text: q.text.to_string(), judgments }
        })
        .collect();
    let n = products.len();
    let pick =
        |i: usize, count: usize, offset: usize| products.get((n * (2 * i + 1) / (2 * count) + offset) % n.max(1));
    for i in 0..CODE_QUERIES {
        let Some(p) = pick(i, CODE_QUERIES, 0) else { break };
        // staff type codes as printed and, now and then, in lower case
        let text = if i % 3 == 2 { p.code.to_lowercase() } else { p.code.clone() };
        out.push(JudgedQuery {
            id: format!("code-{}", i + 1),
            kind: QueryKind::Code,
            text,
            judgments: BTreeMap::from([(p.key.clone(), 3)]),
        });
    }
    for i in 0..EAN_QUERIES {
        // a different product than the code queries picked
        let Some(p) = pick(i, EAN_QUERIES, n / (4 * EAN_QUERIES).max(1)) else { break };
        out.push(JudgedQuery {
            id: format!("ean-{}", i + 1),
            kind: QueryKind::Ean,
            text: p.ean.clone(),
            judgments: BTreeMap::from([(p.key.clone(), 3)]),
        });
    }
    out
}

/// Checks that the written queries refer only to types and sizes that exist in the
/// catalogue: a misspelt type id would silently judge nothing relevant.
pub fn check_rules() -> Result<(), String> {
    let mut ids = std::collections::HashSet::new();
    for q in QUERIES {
        if !ids.insert(q.id) {
            return Err(format!("query id {} is used twice", q.id));
        }
        if !q.rules.iter().any(|(g, _)| *g == 3) {
            return Err(format!("query {} has no grade-3 rule", q.id));
        }
        for (g, r) in q.rules {
            if !(1..=3).contains(g) {
                return Err(format!("query {}: grade {g} is not 1–3", q.id));
            }
            if let Some(id) = r.types().iter().find(|id| catalog::type_by_id(id).is_none()) {
                return Err(format!("query {}: unknown type {id}", q.id));
            }
            // a size rule over several types needs the size in at least one of them
            if !r.types().iter().any(|id| has_size(r, id)) {
                return Err(format!("query {}: no type of a rule has the size it names", q.id));
            }
        }
    }
    Ok(())
}

fn has_size(r: &Rule, id: &str) -> bool {
    let Some(t) = catalog::type_by_id(id) else { return false };
    match r {
        Rule::Types(_) => true,
        Rule::Sized(_, sizes) => sizes.iter().any(|s| t.ty.sizes.contains(s)),
        Rule::SizePrefix(_, prefix) => t.ty.sizes.iter().any(|s| s.starts_with(prefix)),
    }
}

use QueryKind::{Attribute, CrossLanguage, NoDiacritics, SameLanguage};
use Rule::{SizePrefix, Sized, Types};

const fn q(id: &'static str, kind: QueryKind, text: &'static str, rules: &'static [(u8, Rule)]) -> QuerySpec {
    QuerySpec { id, kind, text, rules }
}

// Judging rules shared by queries that ask for the same thing in different words.
const CHICKEN_BREAST: &[(u8, Rule)] =
    &[(3, Types(&["kure-prsa", "kure-prsa-iqf"])), (1, Types(&["kruti-prsa", "kachni-prsa", "kure-stripsy"]))];
const TURKEY_BREAST: &[(u8, Rule)] =
    &[(3, Types(&["kruti-prsa"])), (1, Types(&["kure-prsa", "kure-prsa-iqf", "kachni-prsa"]))];
const ICE_MAKER: &[(u8, Rule)] =
    &[(3, Types(&["vyrobnik-ledu"])), (2, Types(&["vyrobnik-ledu-trist"])), (1, Types(&["drtic-ledu", "led-kostky"]))];
const ICE_CREAM_MACHINE: &[(u8, Rule)] = &[
    (3, Types(&["zmrzlinovac"])),
    (2, Types(&["stroj-tocena-zmrzlina"])),
    (1, Types(&["vitrina-zmrzlina", "granitor"])),
];
const DISHWASHER: &[(u8, Rule)] = &[
    (3, Types(&["mycka-podstolova", "mycka-pruchozi"])),
    (2, Types(&["mycka-sklenic", "mycka-cerneho-nadobi", "mycka-pasova"])),
    (1, Types(&["kos-talire", "kos-sklenice", "kos-priborovy"])),
];
const DISHWASHER_DETERGENT: &[(u8, Rule)] =
    &[(3, Types(&["mycka-prostredek"])), (2, Types(&["mycka-tablety", "mycka-oplach"])), (1, Types(&["myti-rucni"]))];
const CHEF_KNIFE: &[(u8, Rule)] = &[
    (3, Types(&["nuz-kucharsky"])),
    (2, Types(&["nuz-santoku", "sada-nozu"])),
    (1, Types(&["nuz-vykostovaci", "nuz-filetovaci", "nuz-chleba", "nuz-loupaci", "nuz-porcovaci", "sekacek"])),
];
const KNIFE_SHARPENER: &[(u8, Rule)] =
    &[(3, Types(&["brousek", "bruska-elektricka"])), (2, Types(&["brusny-kamen", "ocilka"]))];
const COMBI_STEAMER: &[(u8, Rule)] = &[
    (3, Types(&["kon-elektricky", "kon-plynovy", "kon-kompaktni"])),
    (1, Types(&["trouba-horkovzdusna", "podstavec-konvektomat", "cistic-konvektomat", "tablety-konvektomat"])),
];
const POTS: &[&str] = &["hrnec-nerez", "hrnec-nizky", "hrnec-smalt", "hrnec-hlinik", "hrnec-tlakovy"];
const GN_PANS: &[&str] = &["gn-nerez", "gn-perforovana", "gn-polykarbonat", "gn-polypropylen", "gn-smalt"];
const GN_LIDS: &[&str] = &["gn-vicko-nerez", "gn-vicko-pc", "gn-vicko-vyrez"];
const STOCK_POT: &[&str] = &["hrnec-nerez", "hrnec-hlinik"];

/// The written queries (the code and EAN queries are derived by [`judge`]).
pub static QUERIES: &[QuerySpec] = &[
    // Czech, with diacritics
    q("cs-kureci-prsa", SameLanguage, "kuřecí prsa", CHICKEN_BREAST),
    q("cs-kruti-prsa", SameLanguage, "krůtí prsa", TURKEY_BREAST),
    q("cs-vyrobnik-ledu", SameLanguage, "výrobník ledu", ICE_MAKER),
    q("cs-zmrzlinovac", SameLanguage, "stroj na zmrzlinu", ICE_CREAM_MACHINE),
    q("cs-mycka-nadobi", SameLanguage, "myčka nádobí", DISHWASHER),
    q("cs-prostredek-mycka", SameLanguage, "prostředek do myčky", DISHWASHER_DETERGENT),
    q(
        "cs-hrnec",
        SameLanguage,
        "hrnec",
        &[
            (3, Types(&["hrnec-nerez", "hrnec-nizky", "hrnec-smalt", "hrnec-hlinik"])),
            (2, Types(&["hrnec-tlakovy", "hrnec-mleko", "kastrol"])),
            (1, Types(&["poklice", "parni-vlozka", "rendlik"])),
        ],
    ),
    q("cs-kucharsky-nuz", SameLanguage, "kuchařský nůž", CHEF_KNIFE),
    q("cs-brousek", SameLanguage, "brousek na nože", KNIFE_SHARPENER),
    q("cs-konvektomat", SameLanguage, "konvektomat", COMBI_STEAMER),
    q(
        "cs-chladici-skrin",
        SameLanguage,
        "chladicí skříň",
        &[
            (3, Types(&["chladici-skrin"])),
            (2, Types(&["chladici-skrin-prosklena"])),
            (1, Types(&["mrazici-skrin", "chladici-stul", "barova-chladnicka"])),
        ],
    ),
    q(
        "cs-sklenice-vino",
        SameLanguage,
        "sklenice na víno",
        &[(3, Types(&["sklenice-vino"])), (1, Types(&["sklenice-sekt", "sklenice-koktejl"]))],
    ),
    q(
        "cs-veprova-krkovice",
        SameLanguage,
        "vepřová krkovice",
        &[
            (3, Types(&["veprova-krkovice"])),
            (1, Types(&["veprova-kyta", "veprova-kotleta", "veprova-panenka", "veprovy-bok"])),
        ],
    ),
    q(
        "cs-mlete-maso",
        SameLanguage,
        "mleté maso",
        &[(3, Types(&["mlete-hovezi", "mlete-smes"])), (1, Types(&["hovezi-burger"]))],
    ),
    q("cs-losos", SameLanguage, "losos", &[(3, Types(&["losos-filet", "losos-porce"]))]),
    q(
        "cs-rukavice",
        SameLanguage,
        "jednorázové rukavice",
        &[(3, Types(&["rukavice-nitril", "rukavice-vinyl"])), (1, Types(&["rukavice-uklidove"]))],
    ),
    q(
        "cs-dezinfekce",
        SameLanguage,
        "dezinfekce",
        &[
            (3, Types(&["dezinfekce-povrchu", "dezinfekce-rukou", "dezinfekce-sprej"])),
            (2, Types(&["chlorovy-pripravek"])),
        ],
    ),
    q(
        "cs-kavovar",
        SameLanguage,
        "kávovar",
        &[
            (3, Types(&["kavovar-pakovy", "kavovar-automat"])),
            (2, Types(&["prekapavac"])),
            (1, Types(&["mlynek-kava", "cistic-kavovar", "chladnicka-mleko"])),
        ],
    ),
    q(
        "cs-talir-hluboky",
        SameLanguage,
        "talíř hluboký",
        &[(3, Types(&["talir-hluboky"])), (1, Types(&["talir-melky", "talir-dezertni", "talir-coupe"]))],
    ),
    q(
        "cs-pracovni-stul",
        SameLanguage,
        "nerezový pracovní stůl",
        &[(3, Types(&["stul-nerez", "stul-nerez-police"])), (1, Types(&["myci-stul", "chladici-stul"]))],
    ),
    q(
        "cs-papirove-rucniky",
        SameLanguage,
        "papírové ručníky",
        &[
            (3, Types(&["rucniky-zz", "rucniky-role"])),
            (2, Types(&["kuchynske-uterky"])),
            (1, Types(&["zasobnik-rucniku"])),
        ],
    ),
    q(
        "cs-hranolky",
        SameLanguage,
        "hranolky",
        &[
            (3, Types(&["hranolky", "hranolky-steakove", "hranolky-batatove"])),
            (2, Types(&["americke-brambory"])),
            (1, Types(&["krokety"])),
        ],
    ),
    // English
    q("en-chicken-breast", CrossLanguage, "chicken breast", CHICKEN_BREAST),
    q("en-turkey-breast", CrossLanguage, "turkey breast", TURKEY_BREAST),
    q("en-ice-maker", CrossLanguage, "ice maker", ICE_MAKER),
    q("en-ice-cream-machine", CrossLanguage, "ice cream machine", ICE_CREAM_MACHINE),
    q("en-dishwasher", CrossLanguage, "dishwasher", DISHWASHER),
    q("en-dishwasher-detergent", CrossLanguage, "dishwasher detergent", DISHWASHER_DETERGENT),
    q(
        "en-stock-pot",
        CrossLanguage,
        "stock pot",
        &[
            (3, Types(STOCK_POT)),
            (2, Types(&["hrnec-nizky", "hrnec-smalt"])),
            (1, Types(&["hrnec-tlakovy", "kastrol"])),
        ],
    ),
    q("en-chef-knife", CrossLanguage, "chef knife", CHEF_KNIFE),
    q("en-knife-sharpener", CrossLanguage, "knife sharpener", KNIFE_SHARPENER),
    q("en-combi-steamer", CrossLanguage, "combi steamer", COMBI_STEAMER),
    q(
        "en-beef-tenderloin",
        CrossLanguage,
        "beef tenderloin",
        &[(3, Types(&["hovezi-svickova"])), (1, Types(&["hovezi-rostena", "veprova-panenka"]))],
    ),
    q(
        "en-salmon-fillet",
        CrossLanguage,
        "salmon fillet",
        &[(3, Types(&["losos-filet"])), (2, Types(&["losos-porce"]))],
    ),
    q(
        "en-cutting-board",
        CrossLanguage,
        "cutting board",
        &[(3, Types(&["prkenko-haccp", "prkenko-drevo"])), (1, Types(&["spalek", "stojan-prkenka"]))],
    ),
    q(
        "en-frying-pan",
        CrossLanguage,
        "frying pan",
        &[
            (3, Types(&["panev-neprilnava", "panev-litina", "panev-ocel", "panev-nerez"])),
            (2, Types(&["panev-grilovaci", "panev-saute", "panev-palacinky", "wok", "panev-paella"])),
        ],
    ),
    q(
        "en-coffee-beans",
        CrossLanguage,
        "coffee beans",
        &[(3, Types(&["kava-zrnkova"])), (2, Types(&["kava-bez-kofeinu"])), (1, Types(&["kava-mleta"]))],
    ),
    q(
        "en-wine-glass",
        CrossLanguage,
        "wine glass",
        &[(3, Types(&["sklenice-vino"])), (1, Types(&["sklenice-sekt", "sklenice-koktejl"]))],
    ),
    q(
        "en-refrigerated-counter",
        CrossLanguage,
        "refrigerated counter",
        &[(3, Types(&["chladici-stul"])), (2, Types(&["saladeta", "stul-pizza"])), (1, Types(&["mrazici-stul"]))],
    ),
    q(
        "en-hand-sanitiser",
        CrossLanguage,
        "hand sanitiser",
        &[(3, Types(&["dezinfekce-rukou"])), (1, Types(&["dezinfekce-sprej", "mydlo-tekute"]))],
    ),
    q(
        "en-whipping-cream",
        CrossLanguage,
        "whipping cream",
        &[(3, Types(&["smetana-slehani"])), (1, Types(&["smetana-vareni"]))],
    ),
    q("en-blast-chiller", CrossLanguage, "blast chiller", &[(3, Types(&["zchlazovac"]))]),
    q(
        "en-vacuum-packer",
        CrossLanguage,
        "vacuum packing machine",
        &[(3, Types(&["vakuova-balicka"])), (1, Types(&["vakuove-sacky", "sous-vide"]))],
    ),
    q(
        "en-meat-slicer",
        CrossLanguage,
        "meat slicer",
        &[(3, Types(&["narezovy-stroj"])), (1, Types(&["krajec-zeleniny"]))],
    ),
    // Czech without diacritics, or with a small typo
    q("nd-kureci-prsa", NoDiacritics, "kureci prsa", CHICKEN_BREAST),
    q("nd-kruti-prsa", NoDiacritics, "kruti prsa", TURKEY_BREAST),
    q("nd-vyrobnik-ledu", NoDiacritics, "vyrobnik ledu", ICE_MAKER),
    q("nd-zmrzlinovac", NoDiacritics, "zmrzlinovac", ICE_CREAM_MACHINE),
    q("nd-mycka-nadobi", NoDiacritics, "mycka nadobi", DISHWASHER),
    q(
        "nd-gastronadoba",
        NoDiacritics,
        "gastronadoba",
        &[
            (3, Types(GN_PANS)),
            (1, Types(&["gn-vicko-nerez", "gn-vicko-pc", "gn-vicko-vyrez", "gn-mrizka", "gn-termobox"])),
        ],
    ),
    q(
        "nd-nuz-na-chleba",
        NoDiacritics,
        "nuz na chleba",
        &[(3, Types(&["nuz-chleba"])), (1, Types(&["nuz-kucharsky"]))],
    ),
    q(
        "nd-veprova-panenka",
        NoDiacritics,
        "veprova panenka",
        &[(3, Types(&["veprova-panenka"])), (1, Types(&["hovezi-svickova"]))],
    ),
    q(
        "nd-smetana-ke-slehani",
        NoDiacritics,
        "smetana ke slehani",
        &[(3, Types(&["smetana-slehani"])), (1, Types(&["smetana-vareni"]))],
    ),
    q("nd-cistic-nerezu", NoDiacritics, "cistic nerezu", &[(3, Types(&["cistic-nerez"])), (1, Types(&["odmastovac"]))]),
    q(
        "nd-hrnec-nerezovy",
        NoDiacritics,
        "hrnec nerezovy",
        &[
            (3, Types(&["hrnec-nerez"])),
            (2, Types(&["hrnec-nizky", "kastrol"])),
            (1, Types(&["hrnec-hlinik", "hrnec-smalt", "hrnec-tlakovy"])),
        ],
    ),
    q(
        "nd-dezinfekce-povrchu",
        NoDiacritics,
        "dezinfekce povrchu",
        &[(3, Types(&["dezinfekce-povrchu"])), (2, Types(&["dezinfekce-sprej"])), (1, Types(&["chlorovy-pripravek"]))],
    ),
    q("nd-pivni-sklenice", NoDiacritics, "pivni sklenice", &[(3, Types(&["sklenice-pivo", "pullitr"]))]),
    q("typo-konvektomat", NoDiacritics, "konvektomt", COMBI_STEAMER),
    q("typo-kucharsky-nuz", NoDiacritics, "kuchrský nůž", CHEF_KNIFE),
    // type + attribute
    q("attr-hrnec-20-l", Attribute, "hrnec 20 l", &[(3, Sized(POTS, &["20 l"])), (1, Types(POTS))]),
    q(
        "attr-gn-11-65",
        Attribute,
        "GN 1/1 65 mm",
        &[
            (3, Sized(GN_PANS, &["GN 1/1 65 mm"])),
            (1, SizePrefix(GN_PANS, "GN 1/1 ")),
            (1, Sized(&["pekac-nerez"], &["GN 1/1 65 mm"])),
        ],
    ),
    q(
        "attr-gn-12-100",
        Attribute,
        "gastronádoba GN 1/2 100 mm",
        &[(3, Sized(GN_PANS, &["GN 1/2 100 mm"])), (1, SizePrefix(GN_PANS, "GN 1/2 "))],
    ),
    q("attr-gn-11-vicko", Attribute, "víko GN 1/1", &[(3, Sized(GN_LIDS, &["GN 1/1"])), (1, Types(GN_LIDS))]),
    q(
        "attr-talir-27",
        Attribute,
        "talíř mělký 27 cm",
        &[(3, Sized(&["talir-melky"], &["Ø 27 cm"])), (1, Types(&["talir-melky"]))],
    ),
    q(
        "attr-panev-28",
        Attribute,
        "pánev 28 cm",
        &[
            (3, Sized(&["panev-neprilnava", "panev-ocel", "panev-nerez", "panev-saute"], &["Ø 28 cm"])),
            (2, Sized(&["panev-grilovaci"], &["28×28 cm"])),
            (1, Types(&["panev-neprilnava", "panev-litina", "panev-ocel", "panev-nerez", "panev-saute"])),
        ],
    ),
    q(
        "attr-nuz-20",
        Attribute,
        "kuchařský nůž 20 cm",
        &[(3, Sized(&["nuz-kucharsky"], &["20 cm"])), (1, Types(&["nuz-kucharsky"]))],
    ),
    q(
        "attr-chladici-600",
        Attribute,
        "chladicí skříň 600 l",
        &[
            (3, Sized(&["chladici-skrin"], &["600 l"])),
            (1, Types(&["chladici-skrin"])),
            (1, Sized(&["mrazici-skrin"], &["600 l"])),
        ],
    ),
    q(
        "attr-kureci-prsa-2kg",
        Attribute,
        "kuřecí prsa 2 kg",
        &[(3, Sized(&["kure-prsa"], &["2 kg"])), (1, Types(&["kure-prsa", "kure-prsa-iqf"]))],
    ),
    q(
        "attr-vyrobnik-ledu-45",
        Attribute,
        "výrobník ledu 45 kg",
        &[(3, Sized(&["vyrobnik-ledu"], &["45 kg/24 h"])), (1, Types(&["vyrobnik-ledu"]))],
    ),
    q(
        "attr-mycka-sklenic-40",
        Attribute,
        "myčka sklenic 40×40",
        &[
            (3, Sized(&["mycka-sklenic"], &["koš 40×40 cm"])),
            (1, Types(&["mycka-sklenic"])),
            (1, Sized(&["kos-talire"], &["40×40 cm"])),
        ],
    ),
    q(
        "attr-rukavice-l",
        Attribute,
        "rukavice nitrilové L",
        &[
            (3, Sized(&["rukavice-nitril"], &["L 100 ks"])),
            (1, Types(&["rukavice-nitril"])),
            (1, Sized(&["rukavice-vinyl"], &["L 100 ks"])),
        ],
    ),
    q(
        "attr-konvektomat-10",
        Attribute,
        "konvektomat 10× GN 1/1",
        &[
            (3, Sized(&["kon-elektricky", "kon-plynovy"], &["10× GN 1/1"])),
            (1, Types(&["kon-elektricky", "kon-plynovy", "kon-kompaktni"])),
        ],
    ),
    q(
        "attr-pytle-120",
        Attribute,
        "pytle na odpad 120 l",
        &[(3, Sized(&["pytle-odpad"], &["120 l 25 ks"])), (1, Types(&["pytle-odpad"]))],
    ),
    q("attr-stock-pot-50", Attribute, "stock pot 50 l", &[(3, Sized(STOCK_POT, &["50 l"])), (1, Types(POTS))]),
    q(
        "attr-pivo-05",
        Attribute,
        "pivní sklenice 0,5 l",
        &[(3, Sized(&["sklenice-pivo", "pullitr"], &["0,5 l"])), (1, Types(&["sklenice-pivo", "pullitr"]))],
    ),
];
