//! Vocabulary for the generated data: a Czech gastro supplier's catalogue, its customers
//! (restaurants, hotels, school canteens), their contacts, offers and invoices.

/// Sentences that fit any product.
pub const CZ_GENERIC: &[&str] = &[
    "Skladem v centrálním skladu v Brně, expedice do 24 hodin.",
    "Cena je uvedena bez DPH.",
    "Při odběru nad 10 ks možnost množstevní slevy.",
    "Záruka 24 měsíců, servis zajišťujeme po celé ČR.",
    "Dodací lhůta u neskladových položek je 2–3 týdny.",
    "Produkt splňuje požadavky na styk s potravinami.",
    "Objednávky přijaté do 14:00 expedujeme tentýž den.",
    "Vyobrazení je ilustrační.",
];

/// Sentences that fit any English-language product.
pub const EN_GENERIC: &[&str] = &[
    "In stock at our central warehouse, ships within 24 hours.",
    "Price excludes VAT.",
    "Volume discounts available for orders over 10 units.",
    "24-month warranty with nationwide service.",
    "Image for illustration only.",
];

/// Model designations for equipment.
pub const MODELS: &[&str] = &["Pro", "Classic", "Compact", "Plus", "XL", "Eco", "Premium", "Master", "Profi", "Smart"];

pub const FIRST_M: &[&str] = &[
    "Jan",
    "Petr",
    "Josef",
    "Pavel",
    "Martin",
    "Tomáš",
    "Jaroslav",
    "Miroslav",
    "Zdeněk",
    "Václav",
    "Michal",
    "František",
    "Jiří",
    "Lukáš",
    "Jakub",
    "David",
    "Ondřej",
    "Radek",
    "Vojtěch",
    "Štěpán",
];
pub const FIRST_F: &[&str] = &[
    "Jana",
    "Marie",
    "Eva",
    "Hana",
    "Anna",
    "Lenka",
    "Kateřina",
    "Lucie",
    "Věra",
    "Alena",
    "Petra",
    "Veronika",
    "Martina",
    "Jitka",
    "Tereza",
    "Zuzana",
    "Michaela",
    "Šárka",
    "Ivana",
    "Božena",
];
/// Male surname and its female form.
pub const SURNAMES: &[(&str, &str)] = &[
    ("Novák", "Nováková"),
    ("Svoboda", "Svobodová"),
    ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"),
    ("Černý", "Černá"),
    ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"),
    ("Veselý", "Veselá"),
    ("Horák", "Horáková"),
    ("Němec", "Němcová"),
    ("Pokorný", "Pokorná"),
    ("Marek", "Marková"),
    ("Pospíšil", "Pospíšilová"),
    ("Hájek", "Hájková"),
    ("Jelínek", "Jelínková"),
    ("Král", "Králová"),
    ("Růžička", "Růžičková"),
    ("Beneš", "Benešová"),
    ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"),
    ("Doležal", "Doležalová"),
    ("Zeman", "Zemanová"),
    ("Kolář", "Kolářová"),
    ("Navrátil", "Navrátilová"),
    ("Čermák", "Čermáková"),
    ("Urban", "Urbanová"),
    ("Vaněk", "Vaňková"),
    ("Blažek", "Blažková"),
    ("Kříž", "Křížová"),
    ("Kovář", "Kovářová"),
];

pub const COMPANY_KINDS: &[&str] = &[
    "Restaurace",
    "Hotel",
    "Pension",
    "Bistro",
    "Kavárna",
    "Pivnice",
    "Jídelna",
    "Vinárna",
    "Catering",
    "Hospoda",
    "Penzion",
    "Školní jídelna",
];
pub const COMPANY_NAMES: &[&str] = &[
    "U Zlatého lva",
    "Na Rohu",
    "U Lípy",
    "Pod Lipami",
    "U Černého koně",
    "Na Náměstí",
    "U Tří bratří",
    "Zlatá Husa",
    "Slunce",
    "Praha",
    "U Kapra",
    "Na Vyhlídce",
    "Modrá Hvězda",
    "U Kašny",
    "Stará Pošta",
    "Koruna",
    "U Sv. Václava",
    "Na Statku",
    "Beseda",
    "Zámeček",
    "U Mlýna",
    "Radnice",
    "Grand",
    "Central",
    "Sokolovna",
    "U Řeky",
    "Šumava",
    "Krkonoše",
];
pub const LEGAL: &[&str] = &["s.r.o.", "s.r.o.", "s.r.o.", "a.s.", "spol. s r.o.", "v.o.s."];
/// Town and its postcode prefix.
pub const TOWNS: &[&str] = &[
    "Praha",
    "Brno",
    "Ostrava",
    "Plzeň",
    "Liberec",
    "Olomouc",
    "České Budějovice",
    "Hradec Králové",
    "Ústí nad Labem",
    "Pardubice",
    "Zlín",
    "Jihlava",
    "Třebíč",
    "Kolín",
    "Český Krumlov",
    "Karlovy Vary",
    "Tábor",
    "Znojmo",
    "Kutná Hora",
    "Příbram",
];
pub const STREETS: &[&str] = &[
    "Masarykova",
    "Husova",
    "Nádražní",
    "Komenského",
    "Palackého",
    "Havlíčkova",
    "Školní",
    "Jiráskova",
    "Tyršova",
    "Riegrova",
    "Žižkova",
    "Smetanova",
    "Náměstí Míru",
    "Dvořákova",
    "Sokolská",
    "Lidická",
    "Štefánikova",
    "Pražská",
    "Zahradní",
    "Krátká",
];
pub const EMAIL_DOMAINS: &[&str] = &["seznam.cz", "email.cz", "gmail.com", "centrum.cz", "post.cz"];

pub const OFFER_SUBJECTS: &[&str] = &[
    "Nabídka vybavení kuchyně",
    "Cenová nabídka – porcelán a sklo",
    "Nabídka konvektomatu a servisu",
    "Pravidelné dodávky potravin",
    "Vybavení nové provozovny",
    "Nabídka čisticích prostředků na rok",
    "Rekonstrukce mycí linky",
    "Doplnění inventáře – příbory",
    "Nabídka chladicí techniky",
    "Catering – zapůjčení vybavení",
];
pub const OFFER_STATUS: &[&str] = &["Probíhající", "Probíhající", "Vyhraná", "Prohraná", "Stornovaná", "Koncept"];
pub const INVOICE_SUBJECTS: &[&str] = &[
    "Dodávka zboží dle objednávky",
    "Fakturace za dodávky potravin",
    "Dodávka a instalace zařízení",
    "Servisní zásah",
    "Dodávka porcelánu",
    "Měsíční dodávky čisticích prostředků",
    "Záloha na vybavení kuchyně",
];
pub const INVOICE_STATUS: &[&str] = &["Vystavená", "Vystavená", "Odeslaná", "Stornovaná"];
pub const PAYMENT_STATUS: &[&str] =
    &["Uhrazeno", "Uhrazeno", "Uhrazeno", "Neuhrazeno", "Částečně uhrazeno", "Po splatnosti"];

/// What an issued order (to a supplier) is for.
pub const ORDER_SUBJECTS: &[&str] = &[
    "Objednávka potravin na týden",
    "Objednávka náhradních dílů ke konvektomatu",
    "Doobjednání porcelánu",
    "Objednávka čisticích prostředků",
    "Objednávka nerezového nádobí",
    "Objednávka chladicí vitríny",
    "Objednávka textilu do provozu",
    "Objednávka zboží na sklad",
    "Objednávka servisního zásahu",
];
/// Statuses of an issued order; the supplier confirms the later ones.
pub const ORDER_STATUS: &[&str] =
    &["Nová", "Odeslaná", "Potvrzená", "Potvrzená", "Částečně dodaná", "Dodaná", "Dodaná", "Stornovaná"];

/// Short marks a product name gets when a change rewrites it.
pub const NAME_MARKS: &[&str] = &[" – novinka", " (akce)", " – nový model", " – doprodej", " (nová receptura)"];
