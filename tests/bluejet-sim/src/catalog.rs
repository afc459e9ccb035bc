//! The product catalogue of a Czech HoReCa (gastro) wholesaler: groups of product types with
//! their Czech and English names, size variants, brands, suppliers, prices and description
//! sentences.
//!
//! A product *type* is what a member of staff means when searching ("chicken breast", "stock
//! pot", "GN 1/1 container"); generated products are variants of a type (size, brand, pack,
//! model). Types are public so that relevance judgments can be written over them
//! (`crate::relevance`) and checked against every generated product (`Store::products`).
//!
//! How `name` and `nazev` relate, as BlueJet holds them: `nazev` is always the Czech name (what
//! Czech invoices print); `name` is the catalogue name staff see, equal to `nazev` for most
//! goods, and the supplier's English name for a share of imported goods (the share is set per
//! group: frozen fish and coffee machines are more often English-named than Czech meat).

use std::sync::LazyLock;

/// A product type: one thing a buyer asks for, in several variants.
#[derive(Debug)]
pub struct ProductType {
    /// Stable identifier (ASCII, kebab-case) used by relevance judgments.
    pub id: &'static str,
    /// Czech base name as the ERP holds it ("Kuřecí prsa bez kosti chlazená").
    pub cz: &'static str,
    /// English base name ("Chicken breast fillet chilled").
    pub en: &'static str,
    /// Size, pack or capacity variants; the generated product carries exactly one of them in
    /// its `size` column and its names.
    pub sizes: &'static [&'static str],
    /// Price range in CZK without VAT (the smallest size near the low end).
    pub price: (f64, f64),
    /// One Czech sentence about the type: use, material, what sets it apart.
    pub text: &'static str,
    /// A material fixed by the type (a steel vs a polycarbonate GN container); empty: the
    /// group's materials apply.
    pub material: &'static str,
}

/// A group of product types sharing a category, a code prefix, brands, suppliers and words.
#[derive(Debug)]
pub struct Group {
    /// BlueJet category path ("Potraviny / Drůbež").
    pub category: &'static str,
    /// Prefix of product codes ("DRU" → "DRU-012345").
    pub code: &'static str,
    pub brands: &'static [&'static str],
    pub suppliers: &'static [&'static str],
    pub unit: &'static str,
    pub vat: i64,
    pub materials: &'static [&'static str],
    /// Share of products named in English (imported goods).
    pub english: f64,
    /// Whether names carry a model designation (equipment).
    pub model: bool,
    /// Whether sizes are pack sizes (food, consumables: "Balení") or dimensions ("Velikost").
    pub pack: bool,
    /// Relative number of products per type in this group (wholesalers list far more food and
    /// tableware variants than combi steamers).
    pub weight: u32,
    /// Czech sentences that fit every type of the group.
    pub cz_text: &'static [&'static str],
    /// English sentences that fit every type of the group.
    pub en_text: &'static [&'static str],
    pub types: &'static [ProductType],
}

/// A type together with its group.
#[derive(Debug, Clone, Copy)]
pub struct TypeRef {
    /// Index in [`types`].
    pub index: u32,
    pub group: &'static Group,
    pub ty: &'static ProductType,
}

impl TypeRef {
    /// Relative share of the catalogue: more variants mean more products.
    pub fn weight(&self) -> u32 {
        self.group.weight * (3 + self.ty.sizes.len() as u32)
    }
}

static TYPES: LazyLock<Vec<TypeRef>> = LazyLock::new(|| {
    GROUPS
        .iter()
        .flat_map(|g| g.types.iter().map(move |t| (g, t)))
        .enumerate()
        .map(|(i, (group, ty))| TypeRef { index: i as u32, group, ty })
        .collect()
});

/// Every product type, in catalogue order (the index is stable for a version of this crate).
pub fn types() -> &'static [TypeRef] {
    &TYPES
}

/// The type with this id.
pub fn type_by_id(id: &str) -> Option<TypeRef> {
    TYPES.iter().find(|t| t.ty.id == id).copied()
}

/// The type at this index.
pub fn type_at(index: u32) -> Option<TypeRef> {
    TYPES.get(index as usize).copied()
}

const fn t(
    id: &'static str,
    cz: &'static str,
    en: &'static str,
    sizes: &'static [&'static str],
    lo: f64,
    hi: f64,
    text: &'static str,
) -> ProductType {
    ProductType { id, cz, en, sizes, price: (lo, hi), text, material: "" }
}

/// [`t`] with the material the type fixes; a constructor for table rows, so the long
/// argument list reads as the row it builds.
#[allow(clippy::too_many_arguments)]
const fn tm(
    id: &'static str,
    cz: &'static str,
    en: &'static str,
    sizes: &'static [&'static str],
    lo: f64,
    hi: f64,
    text: &'static str,
    material: &'static str,
) -> ProductType {
    ProductType { id, cz, en, sizes, price: (lo, hi), text, material }
}

/// A group with the defaults most groups share (21 % VAT, pieces, Czech-named, dimensions).
const fn g(category: &'static str, code: &'static str, types: &'static [ProductType]) -> Group {
    Group {
        category,
        code,
        brands: &[],
        suppliers: S_TECH,
        unit: "ks",
        vat: 21,
        materials: &[],
        english: 0.2,
        model: false,
        pack: false,
        weight: 2,
        cz_text: &[],
        en_text: &[],
        types,
    }
}

const S_TECH: &[&str] = &[
    "Gastro Technika Morava s.r.o.",
    "Nerez Kovo Třebíč s.r.o.",
    "Chlazení Plus s.r.o.",
    "GASTRO-HAL Praha s.r.o.",
    "Velkokuchyně Servis Ostrava s.r.o.",
];
const S_TABLE: &[&str] =
    &["Porcelán Krásno s.r.o.", "Sklárna Vysočina a.s.", "Hotelový servis Plzeň s.r.o.", "GASTRO-HAL Praha s.r.o."];
const S_MEAT: &[&str] = &["Masna Vysočina a.s.", "Maso-Drůbež Kolín s.r.o.", "Bidfood Czech Republic s.r.o."];
const S_FISH: &[&str] = &["Nowaco Czech Republic s.r.o.", "Bidfood Czech Republic s.r.o.", "Ryby Třeboň a.s."];
const S_DAIRY: &[&str] =
    &["Mlékárna Pelhřimov a.s.", "Bidfood Czech Republic s.r.o.", "Chlazené potraviny Jihlava s.r.o."];
const S_FOOD: &[&str] = &["Velkoobchod Potraviny Hradec s.r.o.", "Koření Žďár s.r.o.", "Bidfood Czech Republic s.r.o."];
const S_VEG: &[&str] = &["Zelenina Lovosice s.r.o.", "Ovoce a zelenina Brno s.r.o.", "Bidfood Czech Republic s.r.o."];
const S_FROZEN: &[&str] = &["Mražené potraviny Kolín s.r.o.", "Bidfood Czech Republic s.r.o."];
const S_CLEAN: &[&str] = &["Hygiena Servis CZ s.r.o.", "Čistý provoz s.r.o.", "Velkoobchod Potraviny Hradec s.r.o."];
const S_PACK: &[&str] = &["Obaly Morava s.r.o.", "Papírny Olšany a.s.", "Hygiena Servis CZ s.r.o."];
const S_TEXTILE: &[&str] = &["Textil Hotel Servis s.r.o.", "Pracovní oděvy Zlín s.r.o."];
const S_FURN: &[&str] = &["Nerez Kovo Třebíč s.r.o.", "Nábytek pro gastro s.r.o.", "GASTRO-HAL Praha s.r.o."];
const S_COFFEE: &[&str] = &["Kávové systémy Praha s.r.o.", "Barista Servis s.r.o.", "GASTRO-HAL Praha s.r.o."];

const B_COMBI: &[&str] = &["RATIONAL", "UNOX", "Convotherm", "Retigo", "Lainox"];
const B_HEAVY: &[&str] = &["Fagor", "Electrolux Professional", "MKN", "Bertos", "Stalgast", "Hendi"];
const B_SMALL: &[&str] = &["Hendi", "Bartscher", "Stalgast", "Robot Coupe", "Santos", "Buffalo", "Waring"];
const B_REFR: &[&str] = &["Liebherr", "Gram", "Polair", "Tefcold", "Coldline"];
const B_ICE: &[&str] = &["Hoshizaki", "Brema", "Scotsman", "NTF", "Carpigiani"];
const B_DISH: &[&str] = &["Winterhalter", "Hobart", "Meiko", "Elettrobar", "Krupps", "Comenda"];
const B_COOK: &[&str] = &["Stalgast", "Hendi", "Paderno", "Tescoma", "de Buyer", "Fissler", "Ballarini"];
const B_KNIFE: &[&str] = &["Victorinox", "Giesser", "Wüsthof", "Zwilling", "Dick", "Tescoma"];
const B_PORC: &[&str] = &["Thun 1794", "G. Benedikt", "RAK Porcelain", "Bauscher", "Lubiana", "Kahla"];
const B_GLASS: &[&str] = &["Rona", "Crystalex", "Bohemia Crystal", "Schott Zwiesel", "Libbey", "Arcoroc"];
const B_CUTLERY: &[&str] = &["Toner", "WMF", "Hendi", "Comas", "Sola"];
const B_COFFEE: &[&str] =
    &["La Cimbali", "Nuova Simonelli", "Rancilio", "La Marzocco", "Victoria Arduino", "Mahlkönig", "Fiorenzato"];
const B_BAR: &[&str] = &["Hendi", "Bar Professional", "Paderno", "Vollrath", "APS"];
const B_GN: &[&str] = &["Hendi", "Cambro", "Stalgast", "Bourgeat", "Araven"];
const B_FURN: &[&str] = &["Stalgast", "Hendi", "TON", "Gastro Line", "Stima"];
const B_TEXT: &[&str] = &["Le Chef", "Textil Design", "Hendi", "Orlitex"];
const B_PACK: &[&str] = &["Duni", "Papstar", "Huhtamaki", "Wimex", "Fiesta Green"];
const B_CLEAN: &[&str] = &["Ecolab", "Diversey", "Cleamen", "Tork", "Katrin", "Merida", "Sanytol"];
const B_POULTRY: &[&str] = &["Vodňanské kuře", "Raciola", "Drůbež Holešov", "Plukon", "Wiesenhof"];
const B_MEAT: &[&str] = &["Kostelecké uzeniny", "Masokombinát Plzeň", "Maso Planá", "Le & Co", "Bidfood"];
const B_FISH: &[&str] = &["Nowaco", "Espersen", "Pescanova", "Royal Greenland", "Rybářství Třeboň"];
const B_DAIRY: &[&str] = &["Madeta", "Olma", "Pilos", "Kunín", "Président", "Galbani", "Meggle"];
const B_DRY: &[&str] = &["Penam", "Mlýny Voženílek", "Barilla", "Panzani", "Lagris", "Bonavita", "Hellmann's"];
const B_SPICE: &[&str] = &["Kotányi", "Avokádo", "Nowaco", "Vitana", "Knorr", "Maggi"];
const B_FROZEN: &[&str] = &["Aviko", "McCain", "Lamb Weston", "Nowaco", "Iglo", "Ardo"];
const B_VEG: &[&str] = &["", "", "Bidfood"];
const B_DRINKS: &[&str] = &["Lavazza", "Illy", "Segafredo", "Jihlavanka", "Tchibo", "Dilmah", "Teekanne"];

const NEREZ: &[&str] = &["nerez", "nerez AISI 304", "nerezová ocel 18/10"];

/// The catalogue: one line per product type (kept unformatted so that it reads as a table).
#[rustfmt::skip]
pub static GROUPS: &[Group] = &[
    Group {
        brands: B_COMBI,
        materials: NEREZ,
        english: 0.3,
        model: true,
        weight: 2,
        cz_text: &[
            "Dotykový displej s uloženými programy, teplotní sonda v ceně.",
            "Vhodné pro restaurace, hotely a školní jídelny.",
            "Dvojité prosklení dvířek snižuje tepelné ztráty.",
            "Připojení 400 V / 3N, instalaci zajistí náš servis.",
        ],
        en_text: &["Touch screen with stored programmes, core probe included.", "For restaurants, hotels and canteens."],
        ..g(
            "Varná technika / Konvektomaty a pece",
            "KON",
            &[
                t("kon-elektricky", "Konvektomat elektrický", "Electric combi steamer", &["6× GN 1/1", "10× GN 1/1", "6× GN 2/1", "10× GN 2/1", "20× GN 1/1"], 89_000.0, 620_000.0, "Kombinovaný parní konvektomat s bojlerovým vyvíjením páry a automatickým mytím."),
                t("kon-plynovy", "Konvektomat plynový", "Gas combi steamer", &["6× GN 1/1", "10× GN 1/1", "10× GN 2/1", "20× GN 1/1"], 120_000.0, 690_000.0, "Plynový konvektomat se vstřikováním páry, vhodný tam, kde chybí silný elektrický přívod."),
                t("kon-kompaktni", "Konvektomat kompaktní", "Compact combi oven", &["6× GN 2/3", "10× GN 2/3", "6× GN 1/1"], 69_000.0, 210_000.0, "Kompaktní konvektomat šíře 55 cm pro malé kuchyně a bistra."),
                t("trouba-horkovzdusna", "Horkovzdušná trouba", "Convection oven", &["4× GN 1/1", "4× 600×400", "5× 600×400", "10× 600×400"], 18_000.0, 95_000.0, "Horkovzdušná pečicí trouba s vlhčením pro pečivo, dorty a zapékání."),
                t("pec-pizza", "Pec na pizzu elektrická", "Electric pizza oven", &["1 komora 4× Ø 30 cm", "2 komory 4+4× Ø 30 cm", "1 komora 6× Ø 35 cm"], 24_000.0, 140_000.0, "Elektrická pec na pizzu se šamotovou deskou a odděleným ovládáním horní a spodní spirály."),
                t("udirna", "Udírna elektrická", "Electric smokehouse", &["1× GN 1/1", "2× GN 1/1", "4× GN 1/1"], 29_000.0, 120_000.0, "Udírna na teplé i studené uzení masa, ryb a sýrů s vyvíječem kouře."),
                t("trouba-cook-hold", "Nízkoteplotní trouba Cook & Hold", "Cook and hold oven", &["3× GN 1/1", "5× GN 1/1", "9× GN 1/1"], 45_000.0, 160_000.0, "Pomalé pečení masa při nízké teplotě a jeho udržování v teple až do výdeje."),
                t("mikrovlnka-prof", "Mikrovlnná trouba profesionální", "Commercial microwave oven", &["1000 W 25 l", "1800 W 34 l", "2100 W 34 l"], 7_900.0, 42_000.0, "Profesionální mikrovlnná trouba s nerezovým vnitřkem pro rychlý ohřev porcí."),
            ],
        )
    },
    Group {
        brands: B_HEAVY,
        materials: NEREZ,
        english: 0.2,
        model: true,
        weight: 2,
        cz_text: &[
            "Nerezové provedení linky 700, snadno se čistí.",
            "Nastavitelné nožičky pro vyrovnání nerovné podlahy.",
            "Lze kombinovat s dalšími prvky varné linky.",
        ],
        en_text: &["Stainless steel 700 line, easy to clean.", "Adjustable feet."],
        ..g(
            "Varná technika / Sporáky a varné linky",
            "SPO",
            &[
                t("sporak-plynovy", "Sporák plynový", "Gas range", &["4 hořáky", "6 hořáků", "4 hořáky s troubou", "6 hořáků s troubou"], 19_000.0, 98_000.0, "Plynový sporák s litinovými mřížkami a pojistkou plamene na každém hořáku."),
                t("sporak-elektricky", "Sporák elektrický", "Electric range", &["4 plotýnky", "6 plotýnek", "4 plotýnky s troubou"], 17_000.0, 79_000.0, "Elektrický sporák s litinovými plotýnkami a plynulou regulací výkonu."),
                t("varna-deska-indukcni", "Indukční varná deska", "Induction hob", &["3,5 kW", "5 kW", "2× 3,5 kW", "4× 5 kW"], 4_900.0, 89_000.0, "Indukční deska se sklokeramickou plochou, ohřívá jen nádobí s feromagnetickým dnem."),
                t("wok-indukcni", "Indukční wok", "Induction wok cooker", &["3,5 kW", "5 kW", "8 kW"], 9_900.0, 59_000.0, "Indukční varná jednotka s prohlubní pro wokovou pánev."),
                t("grilovaci-deska-hladka", "Grilovací deska hladká", "Smooth griddle plate", &["40 cm", "60 cm", "80 cm"], 7_900.0, 39_000.0, "Grilovací deska s hladkou plochou z válcované oceli pro maso, vejce a palačinky."),
                t("grilovaci-deska-ryhovana", "Grilovací deska rýhovaná", "Ribbed griddle plate", &["40 cm", "60 cm", "80 cm"], 8_400.0, 41_000.0, "Rýhovaná grilovací deska vytvoří na steacích typický grilovací vzor."),
                t("lavovy-gril", "Lávový gril", "Lava stone grill", &["40 cm", "80 cm"], 14_000.0, 52_000.0, "Gril s lávovými kameny dodá masu a zelenině chuť jako z grilu na dřevěné uhlí."),
                t("salamandr", "Salamandr", "Salamander grill", &["600 mm", "800 mm", "1000 mm"], 9_900.0, 45_000.0, "Salamandr s výškově nastavitelným topením na gratinování a dopékání."),
                t("varny-kotel", "Varný kotel elektrický", "Electric boiling kettle", &["60 l", "100 l", "150 l", "200 l"], 89_000.0, 260_000.0, "Varný kotel s nepřímým ohřevem přes duplikátor na polévky, omáčky a přílohy."),
                t("panev-sklopna", "Sklopná pánev elektrická", "Tilting bratt pan", &["60 l", "80 l", "120 l"], 95_000.0, 240_000.0, "Sklopná pánev na smažení, dušení i vaření velkých dávek."),
                t("vodni-lazen", "Vodní lázeň bain-marie", "Bain-marie", &["1× GN 1/1", "2× GN 1/1", "3× GN 1/1", "4× GN 1/1"], 4_900.0, 29_000.0, "Vodní lázeň udržuje omáčky a přílohy v gastronádobách teplé bez připalování."),
                t("varic-testovin", "Vařič těstovin", "Pasta cooker", &["1× 26 l", "2× 26 l", "1× 40 l"], 19_000.0, 85_000.0, "Vařič těstovin s koši na porce a přepadem škrobové pěny."),
            ],
        )
    },
    Group {
        brands: B_HEAVY,
        materials: NEREZ,
        english: 0.25,
        model: true,
        weight: 2,
        cz_text: &["Studená zóna prodlužuje životnost oleje.", "Bezpečnostní termostat 230 °C.", "Výpustný kohout oleje."],
        en_text: &["Cold zone extends oil life.", "Safety thermostat at 230 °C."],
        ..g(
            "Varná technika / Fritézy",
            "FRI",
            &[
                t("friteza-elektricka", "Fritéza elektrická", "Electric fryer", &["8 l", "2× 8 l", "13 l", "2× 10 l"], 3_490.0, 38_900.0, "Elektrická fritéza s výklopným topným tělesem pro snadné čištění vany."),
                t("friteza-plynova", "Fritéza plynová", "Gas fryer", &["15 l", "2× 15 l", "22 l"], 18_000.0, 69_000.0, "Plynová fritéza s výkonnými hořáky pro rychlý návrat teploty oleje."),
                t("friteza-tlakova", "Tlaková fritéza", "Pressure fryer", &["16 l", "25 l"], 89_000.0, 210_000.0, "Tlaková fritéza pro šťavnaté smažené kuře, kratší čas a menší spotřebu oleje."),
                t("friteza-stolni", "Fritéza stolní", "Countertop fryer", &["4 l", "6 l", "2× 6 l"], 1_990.0, 8_900.0, "Stolní fritéza pro bistra a bary, vyjímatelná vana."),
            ],
        )
    },
    Group {
        brands: B_SMALL,
        materials: NEREZ,
        english: 0.3,
        model: true,
        weight: 2,
        cz_text: &["Nerezové provedení, regulace teploty do 300 °C.", "Vhodné pro bistra, kavárny a stánky."],
        en_text: &["Stainless steel, adjustable up to 300 °C."],
        ..g(
            "Varná technika / Grily a opékače",
            "GRI",
            &[
                t("gril-kontaktni", "Kontaktní gril", "Contact grill", &["rýhovaný 34 cm", "hladký 34 cm", "dvojitý 57 cm"], 3_900.0, 19_000.0, "Kontaktní gril s litinovými deskami na panini, toasty a steaky."),
                t("gril-gyros", "Gyros gril", "Doner kebab grill", &["2 hořáky", "3 hořáky", "4 hořáky"], 9_900.0, 32_000.0, "Vertikální gril na gyros a kebab s otočným rožněm."),
                t("opekac-hotdog", "Opékač párků hot dog", "Hot dog roller grill", &["5 válců", "7 válců", "9 válců"], 3_900.0, 11_000.0, "Válečkový opékač párků s dvěma zónami ohřevu."),
                t("toaster-prubezny", "Průběžný toastovač", "Conveyor toaster", &["300 toastů/h", "500 toastů/h", "900 toastů/h"], 11_000.0, 42_000.0, "Průběžný toastovač pro hotelové snídaně, nastavitelná rychlost pásu."),
                t("gril-kure", "Gril na kuřata", "Rotisserie chicken grill", &["4 rožně", "6 rožňů", "8 rožňů"], 19_000.0, 89_000.0, "Gril na kuřata s otočnými rožni a prosklenými dvířky."),
                t("vaflovac", "Vaflovač", "Waffle maker", &["belgické vafle", "bublinové vafle", "vafle na špejli"], 2_900.0, 12_000.0, "Vaflovač s nepřilnavými deskami a termostatem."),
                t("palacinkovac", "Palačinkovač", "Crepe maker", &["Ø 35 cm", "Ø 40 cm", "2× Ø 40 cm"], 3_900.0, 15_000.0, "Elektrický palačinkovač s litinovou plotnou pro tenké palačinky."),
            ],
        )
    },
    Group {
        brands: B_COMBI,
        materials: NEREZ,
        english: 0.2,
        weight: 2,
        cz_text: &["Originální příslušenství výrobce.", "Odolné teplotám do 300 °C."],
        en_text: &["Original accessory."],
        ..g(
            "Varná technika / Příslušenství",
            "PRI",
            &[
                t("podstavec-konvektomat", "Podstavec pod konvektomat", "Combi oven stand", &["pro 6× GN 1/1", "pro 10× GN 1/1", "pro 6× GN 2/1"], 8_900.0, 24_000.0, "Nerezový podstavec s vodicími lištami pro gastronádoby."),
                t("rost-gn", "Rošt GN nerezový", "Stainless GN grid", &["GN 1/1", "GN 2/1", "GN 2/3"], 290.0, 1_490.0, "Nerezový rošt v rozměru GN do konvektomatu a na zchlazování."),
                t("plech-perforovany", "Plech pečicí perforovaný", "Perforated baking tray", &["600×400 mm", "GN 1/1", "GN 2/3"], 390.0, 1_890.0, "Perforovaný hliníkový plech s nepřilnavým povrchem na pečivo."),
                t("fritovaci-kos", "Fritovací koš", "Fryer basket", &["pro 8 l", "pro 13 l", "pro 15 l"], 390.0, 1_290.0, "Náhradní fritovací koš z poniklovaného drátu."),
                t("teplomer-vpichovy", "Vpichový teploměr digitální", "Digital probe thermometer", &["-50 až +300 °C", "s kabelem 1 m"], 290.0, 1_990.0, "Vpichový teploměr pro kontrolu teploty jádra podle HACCP."),
            ],
        )
    },
    Group {
        brands: B_REFR,
        materials: NEREZ,
        english: 0.3,
        model: true,
        weight: 2,
        cz_text: &[
            "Digitální termostat, automatické odtávání.",
            "Klimatická třída 5, ekologické chladivo R290.",
            "Samozavírací dveře se zámkem.",
        ],
        en_text: &["Digital thermostat, automatic defrost.", "Climate class 5, R290 refrigerant."],
        ..g(
            "Chladicí technika / Chladicí a mrazicí zařízení",
            "CHL",
            &[
                t("chladici-skrin", "Chladicí skříň", "Refrigerated cabinet", &["350 l", "600 l", "700 l", "1 400 l"], 18_900.0, 119_000.0, "Ventilovaná chladicí skříň s rozsahem teplot +2 až +8 °C."),
                t("mrazici-skrin", "Mrazicí skříň", "Freezer cabinet", &["350 l", "600 l", "700 l", "1 400 l"], 21_900.0, 129_000.0, "Mrazicí skříň s rozsahem -18 až -22 °C pro skladování mražených potravin."),
                t("chladici-skrin-prosklena", "Chladicí skříň prosklená", "Glass door display fridge", &["300 l", "400 l", "600 l"], 14_900.0, 49_000.0, "Prosklená chladicí skříň na nápoje s LED osvětlením."),
                t("chladici-stul", "Chladicí stůl", "Refrigerated counter", &["2 dveře", "3 dveře", "4 dveře"], 29_000.0, 89_000.0, "Chladicí stůl s nerezovou pracovní deskou a zásuvkami pro GN 1/1."),
                t("mrazici-stul", "Mrazicí stůl", "Freezer counter", &["2 dveře", "3 dveře"], 34_000.0, 79_000.0, "Mrazicí stůl s pracovní deskou, -18 až -22 °C."),
                t("saladeta", "Saladeta", "Saladette prep counter", &["2 dveře 7× GN 1/6", "3 dveře 10× GN 1/6"], 24_000.0, 59_000.0, "Chladicí stůl s nástavbou na gastronádoby GN 1/6 pro přípravu salátů a baget."),
                t("stul-pizza", "Chladicí stůl na pizzu", "Pizza prep counter", &["2 dveře", "3 dveře"], 39_000.0, 95_000.0, "Chladicí stůl s granitovou deskou a vitrínou na suroviny pro pizzu."),
                t("zchlazovac", "Šokový zchlazovač", "Blast chiller", &["3× GN 1/1", "5× GN 1/1", "10× GN 1/1"], 49_000.0, 210_000.0, "Šokový zchlazovač a zmrazovač zchladí pokrmy z +70 °C na +3 °C do 90 minut."),
                t("mrazici-box", "Mrazicí box", "Chest freezer", &["200 l", "300 l", "400 l", "500 l"], 7_900.0, 21_000.0, "Pultový mrazicí box s plným víkem a košem."),
                t("barova-chladnicka", "Barová chladnička", "Back bar cooler", &["1 dveře", "2 dveře", "3 dveře"], 12_900.0, 39_000.0, "Podbarová chladnička na lahve a plechovky s prosklenými dveřmi."),
                t("vitrina-chladici", "Chladicí vitrína", "Refrigerated display case", &["900 mm", "1 200 mm", "1 500 mm"], 39_000.0, 119_000.0, "Chladicí vitrína na dorty, chlebíčky a lahůdky se zakřiveným sklem."),
                t("vinoteka", "Vinotéka", "Wine cooler", &["18 lahví", "46 lahví", "120 lahví"], 9_900.0, 59_000.0, "Vinotéka se dvěma teplotními zónami pro bílé a červené víno."),
            ],
        )
    },
    Group {
        brands: B_ICE,
        materials: NEREZ,
        english: 0.35,
        model: true,
        weight: 2,
        cz_text: &["Vzduchem chlazený kondenzátor.", "Nutné připojení na vodu a odpad.", "Servis a náhradní díly skladem."],
        en_text: &["Air-cooled condenser.", "Needs water supply and drain."],
        ..g(
            "Chladicí technika / Led a zmrzlina",
            "LED",
            &[
                t("vyrobnik-ledu", "Výrobník ledu", "Ice maker", &["25 kg/24 h", "45 kg/24 h", "90 kg/24 h", "150 kg/24 h"], 19_000.0, 129_000.0, "Výrobník kostkového ledu se zásobníkem, plnými kostkami a automatickým cyklem."),
                t("vyrobnik-ledu-trist", "Výrobník tříštěného ledu", "Flake ice machine", &["85 kg/24 h", "150 kg/24 h"], 49_000.0, 139_000.0, "Výrobník šupinového ledu pro vitríny s rybami a koktejly."),
                t("zmrzlinovac", "Zmrzlinovač", "Ice cream machine", &["5 l", "10 l", "2× 6 l"], 39_000.0, 290_000.0, "Stroj na výrobu kopečkové zmrzliny a sorbetů z vlastní směsi."),
                t("stroj-tocena-zmrzlina", "Stroj na točenou zmrzlinu", "Soft serve machine", &["1 příchuť", "2+1 příchutě"], 89_000.0, 320_000.0, "Stroj na točenou zmrzlinu s nočním chlazením směsi."),
                t("granitor", "Výrobník ledové tříště", "Slush machine", &["1× 10 l", "2× 10 l", "3× 12 l"], 19_000.0, 59_000.0, "Výrobník ledové tříště a chlazených nápojů s míchadlem."),
                t("vitrina-zmrzlina", "Vitrína na zmrzlinu", "Ice cream display", &["8 vaniček", "12 vaniček", "16 vaniček"], 69_000.0, 189_000.0, "Mrazicí vitrína na kopečkovou zmrzlinu ve vaničkách 5 l."),
                t("drtic-ledu", "Drtič ledu", "Ice crusher", &["60 kg/h", "120 kg/h"], 4_900.0, 16_000.0, "Elektrický drtič ledových kostek na koktejly a frappé."),
            ],
        )
    },
    Group {
        brands: B_DISH,
        materials: NEREZ,
        english: 0.3,
        model: true,
        weight: 2,
        cz_text: &[
            "Dávkovač oplachu a mycího prostředku v ceně.",
            "Dvouplášťová konstrukce pro tichý provoz.",
            "Odpadní čerpadlo a termostop pro dokonalou hygienu.",
        ],
        en_text: &["Rinse aid and detergent dosing included.", "Double-skinned for quiet running."],
        ..g(
            "Mycí technika / Myčky",
            "MYC",
            &[
                t("mycka-podstolova", "Myčka nádobí podstolová", "Undercounter dishwasher", &["koš 50×50 cm", "koš 50×60 cm"], 42_000.0, 189_000.0, "Podstolová myčka nádobí s mycím cyklem 90/120/180 s."),
                t("mycka-sklenic", "Myčka sklenic", "Glasswasher", &["koš 35×35 cm", "koš 40×40 cm", "koš 50×50 cm"], 29_000.0, 99_000.0, "Myčka sklenic s nižší teplotou oplachu, aby sklo nematnělo."),
                t("mycka-pruchozi", "Myčka nádobí průchozí", "Pass-through dishwasher", &["koš 50×50 cm", "koš 50×60 cm"], 119_000.0, 289_000.0, "Průchozí kapotová myčka pro mycí linky s výkonem až 60 košů za hodinu."),
                t("mycka-cerneho-nadobi", "Myčka černého nádobí", "Pot and utensil washer", &["koš 55×61 cm", "koš 71×71 cm"], 149_000.0, 390_000.0, "Myčka hrnců, plechů a gastronádob s výkonným mycím tlakem."),
                t("mycka-pasova", "Myčka pásová", "Conveyor dishwasher", &["1 200 talířů/h", "2 000 talířů/h", "3 500 talířů/h"], 490_000.0, 1_450_000.0, "Pásová myčka pro velké jídelny a nemocnice s rekuperací tepla."),
                t("zmekcovac-vody", "Změkčovač vody", "Water softener", &["8 l", "12 l", "20 l"], 4_900.0, 19_000.0, "Změkčovač vody chrání myčku a konvektomat před vodním kamenem."),
                t("reverzni-osmoza", "Reverzní osmóza", "Reverse osmosis unit", &["100 l/h", "200 l/h"], 39_000.0, 89_000.0, "Reverzní osmóza pro oplach bez skvrn na skle a příborech."),
                t("sprcha-predmyci", "Předmývací sprcha", "Pre-rinse shower", &["stolní", "nástěnná"], 3_900.0, 9_900.0, "Předmývací sprcha s pružinou a pistolí pro oplach před myčkou."),
            ],
        )
    },
    Group {
        brands: &["Hendi", "Stalgast", "Cambro", "Gastro Line"],
        materials: &["polypropylen", "nerez"],
        english: 0.2,
        weight: 2,
        cz_text: &["Pasuje do všech běžných myček nádobí.", "Odolné mycím prostředkům a teplotám do 90 °C."],
        en_text: &["Fits all common dishwashers."],
        ..g(
            "Mycí technika / Koše a mycí stoly",
            "MKO",
            &[
                t("kos-talire", "Koš na talíře do myčky", "Dishwasher plate rack", &["50×50 cm", "40×40 cm"], 390.0, 990.0, "Koš do myčky na 18 talířů."),
                t("kos-sklenice", "Koš na sklenice do myčky", "Dishwasher glass rack", &["16 přihrádek", "25 přihrádek", "36 přihrádek", "49 přihrádek"], 490.0, 1_490.0, "Koš s přihrádkami na sklenice, chrání sklo před nárazy."),
                t("kos-priborovy", "Koš na příbory do myčky", "Cutlery basket", &["8 přihrádek", "válcový"], 190.0, 690.0, "Koš na příbory do myčky nádobí."),
                t("myci-stul", "Mycí stůl s dřezem", "Sink unit", &["1 dřez 1000 mm", "2 dřezy 1400 mm", "1 dřez 1200 mm"], 7_900.0, 24_000.0, "Nerezový mycí stůl s dřezem a zadním lemem."),
                t("drez-nerez", "Dřez nerezový", "Stainless sink bowl", &["40×40 cm", "50×50 cm", "60×50 cm"], 1_900.0, 5_900.0, "Nerezový dřez k přivaření do pracovní desky."),
            ],
        )
    },
    Group {
        brands: B_COOK,
        materials: &["nerezová ocel 18/10", "nerez se sendvičovým dnem"],
        weight: 3,
        cz_text: &["Vhodné pro všechny typy sporáků včetně indukce.", "Lze mýt v myčce nádobí.", "Zesílené okraje a nýtovaná ucha."],
        en_text: &["Suitable for all hobs including induction.", "Dishwasher safe."],
        ..g(
            "Varné nádobí / Hrnce",
            "HRN",
            &[
                t("hrnec-nerez", "Hrnec nerezový", "Stainless steel stock pot", &["5 l", "9 l", "12 l", "20 l", "35 l", "50 l", "70 l", "100 l"], 590.0, 9_800.0, "Vysoký hrnec s poklicí a sendvičovým dnem na vývary, polévky a omáčky."),
                t("hrnec-nizky", "Hrnec nerezový nízký", "Low casserole pot", &["3 l", "6 l", "11 l", "16 l", "24 l"], 490.0, 4_900.0, "Nízký hrnec s poklicí na dušení masa a zeleniny."),
                t("kastrol", "Kastrol nerezový", "Stainless saucepan", &["1,5 l", "2 l", "3 l", "4,5 l"], 390.0, 1_990.0, "Kastrol se dvěma uchy a skleněnou poklicí."),
                t("hrnec-tlakovy", "Tlakový hrnec", "Pressure cooker", &["6 l", "10 l", "15 l", "22 l"], 1_990.0, 8_900.0, "Tlakový hrnec zkrátí vaření masa a luštěnin až o dvě třetiny."),
                tm("hrnec-smalt", "Hrnec smaltovaný", "Enamel pot", &["3 l", "5 l", "8 l", "12 l"], 390.0, 1_490.0, "Smaltovaný hrnec s poklicí, tradiční český výrobek.", "ocelový plech smaltovaný"),
                tm("hrnec-hlinik", "Hrnec hliníkový", "Aluminium stock pot", &["10 l", "20 l", "35 l", "50 l"], 690.0, 3_900.0, "Lehký hliníkový hrnec pro velkokuchyně, není vhodný na indukci.", "hliník"),
                t("poklice", "Poklice nerezová", "Stainless lid", &["Ø 20 cm", "Ø 24 cm", "Ø 28 cm", "Ø 32 cm", "Ø 40 cm"], 190.0, 890.0, "Nerezová poklice s úchytem, pasuje na hrnce stejného průměru."),
                t("parni-vlozka", "Parní vložka do hrnce", "Steamer insert", &["Ø 20 cm", "Ø 24 cm", "Ø 28 cm"], 390.0, 1_190.0, "Děrovaná vložka pro vaření zeleniny a knedlíků v páře."),
                t("hrnec-mleko", "Hrnec na mléko", "Milk pan", &["1 l", "1,5 l", "2 l"], 290.0, 790.0, "Hrnec na mléko s výlevkou a rukojetí."),
                t("rendlik", "Rendlík s rukojetí", "Saucepan with handle", &["1 l", "1,5 l", "2 l", "3 l"], 390.0, 1_490.0, "Rendlík na omáčky s dlouhou rukojetí a výlevkou."),
            ],
        )
    },
    Group {
        brands: B_COOK,
        materials: &["hliník", "litina", "uhlíková ocel", "nerez"],
        weight: 3,
        cz_text: &["Vhodná pro plyn, elektřinu i indukci.", "Ergonomická rukojeť, která se nezahřívá.", "Silné dno rovnoměrně rozvádí teplo."],
        en_text: &["Suitable for gas, electric and induction hobs.", "Stay-cool handle."],
        ..g(
            "Varné nádobí / Pánve",
            "PAN",
            &[
                tm("panev-neprilnava", "Pánev s nepřilnavým povrchem", "Non-stick frying pan", &["Ø 20 cm", "Ø 24 cm", "Ø 28 cm", "Ø 32 cm", "Ø 36 cm"], 349.0, 3_990.0, "Hliníková pánev s trojvrstvým nepřilnavým povrchem bez PFOA.", "hliník"),
                tm("panev-litina", "Pánev litinová", "Cast iron skillet", &["Ø 20 cm", "Ø 26 cm", "Ø 30 cm"], 690.0, 2_990.0, "Litinová pánev dlouho drží teplo, ideální na steaky.", "litina"),
                tm("panev-ocel", "Pánev z uhlíkové oceli", "Carbon steel pan", &["Ø 24 cm", "Ø 28 cm", "Ø 32 cm"], 590.0, 1_990.0, "Pánev z uhlíkové oceli se časem sama vytvoří nepřilnavou vrstvu.", "uhlíková ocel"),
                tm("panev-nerez", "Pánev nerezová", "Stainless steel frying pan", &["Ø 24 cm", "Ø 28 cm", "Ø 32 cm"], 790.0, 2_990.0, "Nerezová pánev se sendvičovým dnem na restování a deglazování.", "nerezová ocel 18/10"),
                t("panev-palacinky", "Pánev na palačinky", "Crepe pan", &["Ø 22 cm", "Ø 26 cm", "Ø 30 cm"], 390.0, 1_490.0, "Plochá pánev s nízkým okrajem na palačinky a omelety."),
                t("panev-grilovaci", "Pánev grilovací", "Grill pan", &["24×24 cm", "28×28 cm"], 590.0, 1_990.0, "Grilovací pánev s rýhovaným dnem."),
                t("wok", "Wok", "Wok pan", &["Ø 30 cm", "Ø 36 cm", "Ø 40 cm"], 490.0, 1_990.0, "Wok s kulatým dnem na asijská jídla."),
                t("panev-saute", "Pánev sauté", "Sauté pan", &["Ø 24 cm", "Ø 28 cm"], 690.0, 2_490.0, "Hluboká pánev sauté s rovnými stěnami a poklicí."),
                t("panev-paella", "Pánev na paellu", "Paella pan", &["Ø 34 cm", "Ø 46 cm", "Ø 60 cm"], 490.0, 1_990.0, "Široká mělká pánev na paellu a rizoto pro větší počet porcí."),
            ],
        )
    },
    Group {
        brands: B_COOK,
        materials: &["nerez", "hliník", "pocínovaný plech", "silikon"],
        weight: 2,
        cz_text: &["Snadno se čistí.", "Odolné do 250 °C."],
        en_text: &["Easy to clean.", "Oven safe to 250 °C."],
        ..g(
            "Varné nádobí / Pečení",
            "PEC",
            &[
                t("pekac-nerez", "Pekáč nerezový", "Stainless roasting pan", &["GN 1/1 65 mm", "GN 1/1 100 mm", "GN 2/1 65 mm"], 890.0, 3_900.0, "Hluboký pekáč s uchy na pečení masa a drůbeže."),
                t("forma-dort", "Dortová forma rozkládací", "Springform cake tin", &["Ø 24 cm", "Ø 26 cm", "Ø 28 cm"], 190.0, 690.0, "Rozkládací forma na dorty a cheesecake."),
                t("forma-chleba", "Forma na chléb", "Loaf tin", &["25 cm", "30 cm", "35 cm"], 190.0, 590.0, "Forma na chléb, biskupský chlebíček a sekanou."),
                t("plech-pecici", "Plech na pečení", "Baking sheet", &["600×400 mm", "530×325 mm"], 290.0, 990.0, "Hliníkový plech na pečení se zvýšeným okrajem."),
                t("silikonova-podlozka", "Silikonová podložka na pečení", "Silicone baking mat", &["600×400 mm", "530×325 mm"], 290.0, 790.0, "Silikonová podložka nahradí papír na pečení, vydrží tisíce cyklů."),
                t("forma-muffiny", "Forma na muffiny", "Muffin tray", &["6 ks", "12 ks", "24 ks"], 190.0, 890.0, "Forma na muffiny a cupcakes s nepřilnavým povrchem."),
                tm("pekac-litina", "Pekáč litinový smaltovaný", "Cast iron casserole", &["4 l", "6 l", "8 l"], 1_990.0, 6_900.0, "Litinový pekáč s víkem na pečení i servírování.", "litina smaltovaná"),
            ],
        )
    },
    Group {
        brands: &["Hendi", "Stalgast", "Paderno", "Tescoma", "Matfer", "Microplane"],
        materials: &["nerez", "nerezová ocel 18/10", "polypropylen", "silikon"],
        weight: 2,
        cz_text: &["Profesionální náčiní pro každodenní provoz.", "Lze mýt v myčce nádobí."],
        en_text: &["Professional kitchen utensil.", "Dishwasher safe."],
        ..g(
            "Varné nádobí / Kuchyňské náčiní",
            "NAC",
            &[
                t("naberacka", "Naběračka nerezová", "Stainless ladle", &["0,1 l", "0,25 l", "0,5 l", "1 l"], 129.0, 590.0, "Jednodílná naběračka s háčkem na zavěšení."),
                t("obracecka", "Obracečka", "Turner spatula", &["perforovaná", "plná", "úzká"], 119.0, 490.0, "Obracečka na maso, ryby a palačinky."),
                t("sberacka", "Sběračka děrovaná", "Skimmer", &["Ø 10 cm", "Ø 14 cm", "Ø 16 cm"], 129.0, 390.0, "Děrovaná sběračka na vyjímání knedlíků a smažených pokrmů."),
                t("metla", "Metla na šlehání", "Balloon whisk", &["25 cm", "35 cm", "45 cm", "60 cm"], 129.0, 690.0, "Metla s pevnými drátky na šlehání smetany a bílků."),
                t("sterka", "Stěrka silikonová", "Silicone spatula", &["25 cm", "35 cm"], 99.0, 290.0, "Silikonová stěrka odolná do 260 °C."),
                t("kleste", "Kleště servírovací", "Serving tongs", &["24 cm", "30 cm", "40 cm"], 89.0, 290.0, "Nerezové kleště na grilování a servírování."),
                t("cednik", "Cedník nerezový", "Stainless colander", &["Ø 24 cm", "Ø 32 cm", "Ø 40 cm"], 290.0, 1_290.0, "Cedník na těstoviny a zeleninu s pevnou podstavou."),
                t("sito", "Síto jemné", "Fine mesh sieve", &["Ø 16 cm", "Ø 20 cm", "Ø 24 cm"], 149.0, 590.0, "Jemné síto na omáčky, vývary a prosévání mouky."),
                t("struhadlo", "Struhadlo", "Grater", &["čtyřstranné", "jemné na parmazán", "hrubé"], 149.0, 790.0, "Struhadlo z nerezové oceli s ostrými zuby."),
                t("mandolina", "Mandolína", "Mandoline slicer", &["4 nože", "s krytem"], 590.0, 2_490.0, "Mandolína na plátky a hranolky s chráničem prstů."),
                t("varecka", "Vařečka dřevěná", "Wooden spoon", &["30 cm", "40 cm", "60 cm"], 49.0, 190.0, "Vařečka z bukového dřeva."),
                t("misa-nerez", "Mísa nerezová", "Stainless mixing bowl", &["1 l", "3 l", "5 l", "10 l", "20 l"], 129.0, 990.0, "Nerezová mísa s plochým dnem na přípravu těst a salátů."),
                t("odmerka", "Odměrka", "Measuring jug", &["0,5 l", "1 l", "2 l"], 89.0, 290.0, "Odměrka se stupnicí po 50 ml."),
                t("vaha-kuchynska", "Váha kuchyňská digitální", "Digital kitchen scale", &["5 kg/1 g", "15 kg/5 g", "30 kg/10 g"], 590.0, 3_900.0, "Digitální váha s funkcí tára a nerezovou vážicí plochou."),
            ],
        )
    },
    Group {
        brands: B_KNIFE,
        materials: &["nerezová ocel", "kovaná ocel", "ocel X50CrMoV15"],
        weight: 2,
        cz_text: &["Protiskluzová rukojeť splňuje HACCP.", "Ručně broušené ostří dlouho vydrží ostré.", "Doporučujeme mýt ručně."],
        en_text: &["Non-slip HACCP handle.", "Hand-honed edge."],
        ..g(
            "Nože a náčiní / Nože",
            "NUZ",
            &[
                t("nuz-kucharsky", "Kuchařský nůž", "Chef's knife", &["15 cm", "20 cm", "23 cm", "26 cm"], 289.0, 4_590.0, "Univerzální kuchařský nůž na krájení zeleniny, masa i bylinek."),
                t("nuz-vykostovaci", "Vykosťovací nůž", "Boning knife", &["13 cm", "15 cm"], 249.0, 1_990.0, "Úzký pevný nůž na vykosťování masa a drůbeže."),
                t("nuz-filetovaci", "Filetovací nůž", "Filleting knife", &["16 cm", "18 cm", "20 cm"], 290.0, 2_490.0, "Ohebný filetovací nůž na ryby."),
                t("nuz-chleba", "Nůž na chléb", "Bread knife", &["21 cm", "26 cm"], 249.0, 2_290.0, "Nůž na chléb a pečivo s vlnitým ostřím."),
                t("nuz-santoku", "Nůž santoku", "Santoku knife", &["17 cm", "18 cm"], 590.0, 3_990.0, "Japonský nůž santoku s výbrusem proti přichytávání potravin."),
                t("nuz-loupaci", "Nůž loupací", "Paring knife", &["8 cm", "10 cm"], 99.0, 990.0, "Malý nůž na loupání a zdobení zeleniny a ovoce."),
                t("nuz-porcovaci", "Nůž porcovací", "Slicing knife", &["25 cm", "30 cm"], 390.0, 2_990.0, "Dlouhý nůž na porcování pečeně a šunky."),
                t("sekacek", "Sekáček na maso", "Meat cleaver", &["15 cm", "18 cm", "20 cm"], 490.0, 2_990.0, "Těžký sekáček na kosti a tužší maso."),
                t("krajec-pizza", "Kráječ na pizzu", "Pizza cutter", &["Ø 7 cm", "Ø 10 cm"], 149.0, 690.0, "Kolečko na krájení pizzy s ochranou prstů."),
                t("nuz-steakovy", "Steakový nůž", "Steak knife", &["11 cm", "12 cm"], 99.0, 590.0, "Steakový nůž s mikrozoubky pro servis u stolu."),
                t("sada-nozu", "Sada nožů", "Knife set", &["3 ks", "5 ks", "7 ks v kufru"], 990.0, 9_900.0, "Sada kuchařských nožů v brašně nebo kufru."),
            ],
        )
    },
    Group {
        brands: B_KNIFE,
        materials: &["ocel", "keramika", "korund", "dřevo"],
        weight: 2,
        cz_text: &["Udrží nože ostré mezi broušeními.", "Vhodné pro profesionální kuchyně."],
        en_text: &["Keeps knives sharp."],
        ..g(
            "Nože a náčiní / Broušení a uložení nožů",
            "BRU",
            &[
                t("ocilka", "Ocílka", "Sharpening steel", &["25 cm", "30 cm"], 290.0, 1_990.0, "Ocílka na srovnání ostří nožů, rýhovaná nebo diamantová."),
                t("brousek", "Brousek na nože ruční", "Manual knife sharpener", &["1 stupeň", "2 stupně"], 190.0, 990.0, "Ruční brousek s keramickými kotouči pro rychlé obnovení ostří."),
                t("brusny-kamen", "Brusný kámen", "Whetstone", &["#1000/#3000", "#1000/#6000", "#400/#1000"], 490.0, 2_490.0, "Oboustranný brusný kámen na broušení nožů za mokra."),
                t("bruska-elektricka", "Bruska na nože elektrická", "Electric knife sharpener", &["2 stupně", "3 stupně"], 1_990.0, 6_900.0, "Elektrická bruska s diamantovými kotouči a vodítky úhlu."),
                t("magneticka-lista", "Magnetická lišta na nože", "Magnetic knife rack", &["45 cm", "60 cm"], 290.0, 890.0, "Nástěnná magnetická lišta pro hygienické uložení nožů."),
                t("blok-nozu", "Blok na nože", "Knife block", &["5 nožů", "8 nožů"], 590.0, 1_990.0, "Blok na nože s univerzálními štěrbinami."),
            ],
        )
    },
    Group {
        brands: &["Hendi", "Stalgast", "Gastro Line", "Dick"],
        materials: &["polyetylen PE 500", "bukové dřevo", "akátové dřevo"],
        weight: 2,
        cz_text: &["Odolné v myčce nádobí do 90 °C.", "Šetrné k ostří nožů."],
        en_text: &["Dishwasher safe up to 90 °C."],
        ..g(
            "Nože a náčiní / Prkénka",
            "PRK",
            &[
                tm("prkenko-haccp", "Krájecí prkénko HACCP", "HACCP cutting board", &["GN 1/1 53×32,5 cm", "GN 1/2 26,5×32,5 cm", "60×40 cm"], 219.0, 1_190.0, "Barevné rozlišení podle HACCP: červené maso, modré ryby, zelené zelenina, žluté drůbež.", "polyetylen PE 500"),
                tm("prkenko-drevo", "Krájecí prkénko dřevěné", "Wooden cutting board", &["40×30 cm", "50×35 cm"], 290.0, 1_290.0, "Masivní prkénko z lepeného dřeva.", "bukové dřevo"),
                t("stojan-prkenka", "Stojan na prkénka", "Cutting board rack", &["6 prkének", "8 prkének"], 390.0, 990.0, "Nerezový stojan pro oschnutí prkének."),
                tm("spalek", "Řeznický špalek", "Butcher block", &["50×40 cm", "60×50 cm"], 2_900.0, 9_900.0, "Řeznický špalek z čelního dřeva na podstavci.", "bukové dřevo"),
            ],
        )
    },
    Group {
        brands: B_PORC,
        suppliers: S_TABLE,
        materials: &["porcelán", "tvrdý porcelán", "kostní porcelán"],
        english: 0.15,
        weight: 4,
        cz_text: &[
            "Hotelový porcelán se zesíleným okrajem.",
            "Odolný mytí v myčce i ohřevu v mikrovlnné troubě.",
            "Kolekce navržená pro náročný restaurační provoz.",
        ],
        en_text: &["Hotel porcelain with a reinforced rim.", "Dishwasher and microwave safe."],
        ..g(
            "Stolování / Porcelán",
            "TAL",
            &[
                t("talir-melky", "Talíř mělký", "Dinner plate", &["Ø 19 cm", "Ø 24 cm", "Ø 27 cm", "Ø 30 cm", "Ø 32 cm"], 79.0, 690.0, "Mělký talíř pro hlavní chody."),
                t("talir-hluboky", "Talíř hluboký", "Soup plate", &["Ø 22 cm", "Ø 23 cm", "Ø 26 cm"], 69.0, 520.0, "Hluboký talíř na polévky i těstoviny."),
                t("talir-dezertni", "Talíř dezertní", "Dessert plate", &["Ø 17 cm", "Ø 19 cm", "Ø 21 cm"], 59.0, 390.0, "Dezertní talíř na moučníky a předkrmy."),
                t("talir-pizza", "Talíř na pizzu", "Pizza plate", &["Ø 31 cm", "Ø 33 cm"], 149.0, 590.0, "Velký plochý talíř na pizzu."),
                t("talir-coupe", "Talíř coupe", "Coupe plate", &["Ø 21 cm", "Ø 26 cm", "Ø 28 cm"], 99.0, 590.0, "Talíř bez praporu v moderním tvaru coupe."),
                t("salek-espresso", "Šálek espresso s podšálkem", "Espresso cup and saucer", &["0,07 l", "0,09 l"], 89.0, 290.0, "Silnostěnný šálek na espresso udrží kávu déle teplou."),
                t("salek-cappuccino", "Šálek cappuccino s podšálkem", "Cappuccino cup and saucer", &["0,2 l", "0,25 l"], 99.0, 390.0, "Šálek na cappuccino s širokým okrajem pro latte art."),
                t("hrnek", "Hrnek porcelánový", "Porcelain mug", &["0,3 l", "0,35 l", "0,4 l"], 69.0, 290.0, "Porcelánový hrnek na čaj a kávu."),
                t("miska", "Miska porcelánová", "Porcelain bowl", &["Ø 10 cm", "Ø 13 cm", "Ø 16 cm", "Ø 20 cm"], 49.0, 390.0, "Miska na saláty, omáčky a dezerty."),
                t("polevkovy-salek", "Polévkový šálek", "Soup cup", &["0,3 l", "0,4 l"], 79.0, 290.0, "Polévkový šálek s oušky."),
                t("misa-ovalna", "Mísa oválná", "Oval platter", &["30 cm", "35 cm", "40 cm"], 190.0, 890.0, "Oválná servírovací mísa na mísy pro více osob."),
                t("konvice-caj", "Konvice na čaj porcelánová", "Porcelain teapot", &["0,4 l", "0,6 l", "1 l"], 190.0, 790.0, "Čajová konvice s víčkem a sítkem."),
                t("mlecenka", "Mléčenka", "Milk jug", &["0,03 l", "0,15 l", "0,3 l"], 49.0, 290.0, "Porcelánová konvička na mléko a smetanu."),
                t("cukrenka", "Cukřenka", "Sugar bowl", &["0,15 l", "0,25 l"], 79.0, 290.0, "Cukřenka s víčkem."),
                t("slanka-peprenka", "Slánka a pepřenka", "Salt and pepper set", &["porcelán", "sklo"], 89.0, 390.0, "Sada slánky a pepřenky na stůl."),
            ],
        )
    },
    Group {
        brands: B_GLASS,
        suppliers: S_TABLE,
        materials: &["křišťálové sklo", "sodnodraselné sklo", "tvrzené sklo"],
        english: 0.2,
        weight: 3,
        cz_text: &["Odolné v myčce nádobí.", "Cejchovaná ryska podle předpisů.", "Tenkostěnné sklo s vysokým leskem."],
        en_text: &["Dishwasher safe.", "Calibrated fill line."],
        ..g(
            "Stolování / Sklo",
            "SKL",
            &[
                t("sklenice-vino", "Sklenice na víno", "Wine glass", &["250 ml", "350 ml", "450 ml", "580 ml"], 49.0, 420.0, "Kalich na stopce pro bílé i červené víno."),
                t("sklenice-pivo", "Pivní sklenice", "Beer glass", &["0,3 l", "0,4 l", "0,5 l"], 39.0, 189.0, "Cejchovaná pivní sklenice, tradiční český tvar pro ležák."),
                t("pullitr", "Pivní půllitr s uchem", "Beer mug with handle", &["0,5 l", "1 l"], 59.0, 249.0, "Silnostěnný půllitr s uchem."),
                t("sklenice-sekt", "Sklenice na sekt", "Champagne flute", &["160 ml", "210 ml"], 49.0, 390.0, "Štíhlá flétna na sekt a prosecco."),
                t("sklenice-voda", "Sklenice na vodu", "Water tumbler", &["250 ml", "300 ml", "350 ml"], 29.0, 149.0, "Odolná sklenice na vodu a nealkoholické nápoje."),
                t("sklenice-koktejl", "Koktejlová sklenice", "Cocktail glass", &["200 ml", "300 ml"], 59.0, 290.0, "Sklenice na koktejly ve tvaru martini nebo coupe."),
                t("sklenice-longdrink", "Sklenice longdrink", "Highball glass", &["300 ml", "400 ml"], 39.0, 190.0, "Vysoká sklenice na míchané nápoje s ledem."),
                t("panak", "Panáková sklenička", "Shot glass", &["2 cl", "4 cl", "5 cl"], 19.0, 89.0, "Cejchovaná sklenička na destiláty."),
                t("karafa", "Karafa skleněná", "Glass carafe", &["0,5 l", "1 l", "1,5 l"], 99.0, 490.0, "Karafa na vodu a víno."),
                t("sklenice-whisky", "Sklenice na whisky", "Whisky tumbler", &["250 ml", "300 ml"], 59.0, 390.0, "Sklenice s těžkým dnem na whisky a rum."),
                t("sklenice-caj", "Sklenice na čaj s uchem", "Tea glass with handle", &["250 ml", "300 ml", "400 ml"], 49.0, 190.0, "Sklenice z tvrzeného skla na čaj a latte."),
                t("pohar-zmrzlina", "Pohár na zmrzlinu", "Ice cream sundae glass", &["250 ml", "350 ml"], 49.0, 249.0, "Skleněný pohár na zmrzlinové poháry a dezerty."),
            ],
        )
    },
    Group {
        brands: B_CUTLERY,
        suppliers: S_TABLE,
        materials: &["nerez 18/10", "nerez 18/0"],
        english: 0.15,
        weight: 3,
        cz_text: &["Leštěný povrch, klasický tvar.", "Vhodné pro restaurace a hotely, odolné v myčce."],
        en_text: &["Polished finish, classic design."],
        ..g(
            "Stolování / Příbory",
            "PRB",
            &[
                t("vidlicka", "Jídelní vidlička", "Table fork", &["20 cm", "21 cm"], 29.0, 249.0, "Jídelní vidlička ze sady příborů."),
                t("nuz-jidelni", "Jídelní nůž", "Table knife", &["22 cm", "23 cm"], 39.0, 290.0, "Jídelní nůž s dutou rukojetí."),
                t("lzice-jidelni", "Jídelní lžíce", "Table spoon", &["20 cm", "21 cm"], 29.0, 249.0, "Jídelní lžíce ze sady příborů."),
                t("lzicka-kavova", "Kávová lžička", "Coffee spoon", &["11 cm", "13 cm"], 19.0, 149.0, "Lžička ke kávě a dezertům."),
                t("vidlicka-dezertni", "Dezertní vidlička", "Dessert fork", &["18 cm", "19 cm"], 29.0, 199.0, "Dezertní vidlička na moučníky."),
                t("lzice-polevkova", "Polévková lžíce", "Soup spoon", &["18 cm", "19 cm"], 29.0, 219.0, "Lžíce s kulatou miskou na polévky."),
                t("lzice-servirovaci", "Servírovací lžíce", "Serving spoon", &["24 cm", "28 cm"], 59.0, 390.0, "Servírovací lžíce na bufet."),
                t("sada-priboru", "Sada příborů", "Cutlery set", &["24 ks", "48 ks"], 590.0, 4_900.0, "Sada příborů pro 6 nebo 12 osob."),
            ],
        )
    },
    Group {
        brands: &["Hendi", "APS", "Stalgast", "Paderno"],
        suppliers: S_TABLE,
        materials: &["nerez", "melamin", "ratan", "akrylát"],
        english: 0.25,
        weight: 2,
        cz_text: &["Vhodné pro hotelové snídaně a catering.", "Snadná údržba."],
        en_text: &["For hotel breakfasts and catering."],
        ..g(
            "Stolování / Bufet a servírování",
            "BUF",
            &[
                t("chafing", "Chafing dish", "Chafing dish", &["GN 1/1 9 l", "GN 1/1 roll-top", "kulatý 4,5 l"], 1_490.0, 9_900.0, "Chafing dish s vodní lázní a ohřevem gelovými palivy nebo elektricky."),
                t("podnos", "Podnos servírovací", "Serving tray", &["GN 1/1", "Ø 35 cm", "53×37 cm"], 149.0, 690.0, "Protiskluzový servírovací podnos."),
                t("etazer", "Etažér", "Tiered cake stand", &["2 patra", "3 patra"], 390.0, 1_490.0, "Etažér na zákusky a jednohubky."),
                t("stojan-ubrousky", "Stojan na ubrousky", "Napkin holder", &["nerez", "dřevo"], 99.0, 390.0, "Stojánek na papírové ubrousky na stůl."),
                t("kosik-pecivo", "Košík na pečivo", "Bread basket", &["oválný 23 cm", "kulatý Ø 20 cm", "GN 1/2"], 79.0, 390.0, "Košík na pečivo na stůl i bufet."),
                t("davkovac-cerealie", "Dávkovač cereálií", "Cereal dispenser", &["1× 4 l", "2× 4 l"], 990.0, 2_990.0, "Dávkovač cereálií s otočným dávkováním."),
                t("davkovac-dzus", "Dávkovač džusu", "Juice dispenser", &["5 l", "8 l", "2× 8 l"], 990.0, 4_900.0, "Chlazený dávkovač džusu s ledovou vložkou."),
                t("termos-kava", "Termos na kávu", "Coffee airpot", &["1,9 l", "2,5 l", "3 l"], 690.0, 1_990.0, "Pumpový termos s nerezovou vložkou udrží kávu horkou hodiny."),
                t("poklop-talir", "Poklop na talíř", "Plate cover cloche", &["Ø 26 cm", "Ø 30 cm"], 290.0, 990.0, "Nerezový poklop udrží pokrm teplý při room servisu."),
            ],
        )
    },
    Group {
        brands: B_COFFEE,
        suppliers: S_COFFEE,
        materials: NEREZ,
        english: 0.35,
        model: true,
        weight: 2,
        cz_text: &["Instalaci a zaškolení baristů zajistí náš servis.", "Doporučujeme připojení přes změkčovač vody."],
        en_text: &["Installation and barista training by our service team."],
        ..g(
            "Káva a bar / Kávovary a mlýnky",
            "KAV",
            &[
                t("kavovar-pakovy", "Kávovar pákový", "Espresso machine", &["1 páka", "2 páky", "3 páky"], 49_000.0, 290_000.0, "Profesionální pákový kávovar s parní tryskou a tryskou na horkou vodu."),
                t("kavovar-automat", "Kávovar automatický", "Bean-to-cup coffee machine", &["1 mlýnek", "2 mlýnky"], 59_000.0, 240_000.0, "Automatický kávovar s mlýnkem a mléčným systémem na cappuccino jedním dotykem."),
                t("mlynek-kava", "Mlýnek na kávu", "Coffee grinder", &["Ø 64 mm", "Ø 75 mm", "Ø 83 mm"], 14_000.0, 69_000.0, "Mlýnek na espresso s plochými kameny a dávkováním na čas."),
                t("prekapavac", "Překapávač kávy", "Filter coffee machine", &["1,8 l", "2× 1,8 l"], 4_900.0, 19_000.0, "Překapávač filtrované kávy s ohřívací plotýnkou."),
                t("vyrobnik-horke-vody", "Výrobník horké vody", "Hot water dispenser", &["10 l", "20 l", "30 l"], 3_900.0, 14_000.0, "Průtokový výrobník horké vody na čaj."),
                t("napenovac-mleka", "Napěňovač mléka", "Milk frother", &["1 l", "4 l"], 2_900.0, 19_000.0, "Elektrický napěňovač mléka na cappuccino a latte."),
                t("chladnicka-mleko", "Chladnička na mléko ke kávovaru", "Milk cooler for coffee machine", &["4 l", "8 l"], 9_900.0, 24_000.0, "Malá chladnička na mléko k automatickému kávovaru."),
            ],
        )
    },
    Group {
        brands: B_BAR,
        materials: &["nerez", "chromovaná ocel", "dřevo", "pryž"],
        english: 0.35,
        weight: 2,
        cz_text: &["Profesionální barové vybavení.", "Odolné v myčce nádobí."],
        en_text: &["Professional bar equipment.", "Dishwasher safe."],
        ..g(
            "Káva a bar / Barové vybavení",
            "BAR",
            &[
                t("shaker", "Shaker koktejlový", "Cocktail shaker", &["0,5 l", "0,7 l", "Boston 0,8 l"], 190.0, 790.0, "Nerezový shaker na míchání koktejlů."),
                t("jigger", "Barová odměrka jigger", "Bar jigger", &["2/4 cl", "3/5 cl"], 99.0, 390.0, "Oboustranná odměrka pro přesné dávkování alkoholu."),
                t("barova-lzice", "Barová lžíce", "Bar spoon", &["27 cm", "40 cm"], 89.0, 290.0, "Dlouhá barová lžíce se stočenou rukojetí."),
                t("strainer", "Barové sítko strainer", "Cocktail strainer", &["Hawthorne", "jemné"], 149.0, 490.0, "Barové sítko na scezení koktejlu přes led."),
                t("mudler", "Mudler", "Muddler", &["21 cm", "23 cm"], 99.0, 390.0, "Tlouček na drcení máty a limetek do mojita."),
                t("kbelik-led", "Kbelík na led", "Ice bucket", &["1 l", "4 l"], 190.0, 890.0, "Dvoustěnný kbelík na led s kleštěmi."),
                t("chladic-vina", "Chladič na víno", "Wine cooler bucket", &["nerez", "akryl"], 290.0, 1_290.0, "Chladicí nádoba na láhev vína s ledem."),
                t("vyvrtka", "Vývrtka číšnická", "Waiter's corkscrew", &["dvoustupňová", "s nožíkem"], 99.0, 590.0, "Číšnická vývrtka s nožíkem na fólii."),
                t("nalevka-pourer", "Nálevka na lahve pourer", "Bottle pourer", &["12 ks", "24 ks"], 149.0, 490.0, "Nálevky na lahve s destiláty a sirupy."),
                t("tamper", "Tamper", "Coffee tamper", &["Ø 53 mm", "Ø 58 mm"], 390.0, 1_990.0, "Tamper na pěchování kávy do páky kávovaru."),
                t("konvicka-mleko", "Konvička na mléko nerezová", "Stainless milk pitcher", &["0,35 l", "0,6 l", "1 l"], 149.0, 590.0, "Konvička na napěňování mléka s výlevkou pro latte art."),
                t("odklepavac", "Odklepávač kávy", "Coffee knock box", &["malý", "velký"], 290.0, 990.0, "Odklepávač kávové sedliny s gumovou tyčí."),
                t("lis-citrusy", "Lis na citrusy ruční", "Citrus squeezer", &["hliník", "nerez"], 290.0, 1_490.0, "Pákový lis na citrony, limety a pomeranče."),
                t("barova-podlozka", "Barová podložka", "Bar mat", &["30×15 cm", "60×8 cm"], 149.0, 490.0, "Pryžová podložka zachytí ukápnuté nápoje."),
                t("vycepni-zarizeni", "Výčepní zařízení", "Beer dispenser", &["1 kohout", "2 kohouty", "3 kohouty"], 14_000.0, 49_000.0, "Výčepní zařízení s průtokovým chlazením piva."),
            ],
        )
    },
    Group {
        brands: B_DRINKS,
        suppliers: S_COFFEE,
        vat: 12,
        english: 0.3,
        pack: true,
        weight: 3,
        cz_text: &["Pro kavárny, hotely a restaurace.", "Skladujte v suchu a chladu."],
        en_text: &["For cafés, hotels and restaurants.", "Store in a cool, dry place."],
        ..g(
            "Káva a bar / Káva a čaj",
            "KCA",
            &[
                t("kava-zrnkova", "Káva zrnková", "Coffee beans", &["250 g", "500 g", "1 kg"], 149.0, 890.0, "Zrnková káva směs arabiky a robusty pro espresso."),
                t("kava-mleta", "Káva mletá", "Ground coffee", &["250 g", "500 g", "1 kg"], 129.0, 690.0, "Mletá káva pro překapávač a turka."),
                t("kava-kapsle", "Kávové kapsle", "Coffee capsules", &["10 ks", "50 ks", "100 ks"], 99.0, 990.0, "Kávové kapsle kompatibilní s běžnými kapslovými kávovary."),
                t("kava-bez-kofeinu", "Káva zrnková bez kofeinu", "Decaf coffee beans", &["500 g", "1 kg"], 290.0, 990.0, "Zrnková káva bez kofeinu."),
                t("caj-cerny", "Čaj černý porcovaný", "Black tea bags", &["25 sáčků", "100 sáčků"], 49.0, 290.0, "Černý čaj v porcovaných sáčcích s přebalem."),
                t("caj-zeleny", "Čaj zelený porcovaný", "Green tea bags", &["25 sáčků", "100 sáčků"], 59.0, 310.0, "Zelený čaj v porcovaných sáčcích."),
                t("caj-ovocny", "Čaj ovocný porcovaný", "Fruit tea bags", &["20 sáčků", "50 sáčků"], 39.0, 190.0, "Ovocný čaj se šípkem a ibiškem."),
                t("cokolada-horka", "Horká čokoláda instantní", "Hot chocolate powder", &["1 kg", "2 kg"], 190.0, 490.0, "Instantní horká čokoláda do automatů i k přípravě v konvičce."),
                t("sirup-kava", "Sirup do kávy", "Coffee syrup", &["0,7 l", "1 l"], 149.0, 390.0, "Sirup do kávy s příchutí vanilky, karamelu nebo lískového oříšku."),
                t("smetana-porce", "Smetana do kávy porcovaná", "Coffee creamer portions", &["10× 10 g", "120× 10 g"], 19.0, 290.0, "Porcovaná smetana do kávy 10 %."),
                t("cukr-porce", "Cukr porcovaný", "Sugar sticks", &["500× 4 g", "1000× 5 g"], 190.0, 490.0, "Porcovaný cukr v tyčinkách."),
            ],
        )
    },
    Group {
        brands: B_SMALL,
        materials: &["nerez", "hliník", "plast ABS"],
        english: 0.3,
        model: true,
        weight: 2,
        cz_text: &["Bezpečnostní spínač a ochrana proti přehřátí.", "Vhodné pro restaurace, bistra a catering."],
        en_text: &["Safety switch and overheat protection."],
        ..g(
            "Malé spotřebiče / Kuchyňské stroje",
            "STR",
            &[
                t("mixer-tycovy", "Tyčový mixér", "Stick blender", &["250 mm", "400 mm", "500 mm"], 2_900.0, 14_000.0, "Ponorný tyčový mixér na polévky a omáčky přímo v hrnci."),
                t("mixer-stolni", "Stolní mixér", "Countertop blender", &["1,5 l", "2 l", "2,5 l"], 2_900.0, 19_000.0, "Výkonný stolní mixér na smoothie, koktejly a drcení ledu."),
                t("robot-planetovy", "Planetový robot", "Planetary mixer", &["5 l", "7 l", "10 l", "20 l", "40 l"], 9_900.0, 149_000.0, "Planetový robot s hnětacím hákem, metlou a míchačem na těsta a krémy."),
                t("krajec-zeleniny", "Kráječ zeleniny", "Vegetable cutter", &["300 kg/h", "650 kg/h"], 19_000.0, 79_000.0, "Elektrický kráječ zeleniny s kotouči na plátky, nudličky a kostky."),
                t("narezovy-stroj", "Nářezový stroj", "Meat slicer", &["Ø 220 mm", "Ø 250 mm", "Ø 300 mm", "Ø 350 mm"], 6_900.0, 49_000.0, "Nářezový stroj na šunku, salámy a sýry s nastavitelnou tloušťkou plátku."),
                t("mlynek-maso", "Mlýnek na maso", "Meat mincer", &["č. 12", "č. 22", "č. 32"], 9_900.0, 59_000.0, "Elektrický mlýnek na maso s nerezovou řeznou hlavou."),
                t("kutr", "Kutr", "Food processor cutter", &["3 l", "5 l", "8 l"], 9_900.0, 49_000.0, "Kutr na paštiky, pesto a jemné mletí."),
                t("vakuova-balicka", "Vakuová balička", "Vacuum packing machine", &["komorová 30 cm", "komorová 42 cm", "externí 35 cm"], 4_900.0, 89_000.0, "Vakuová balička prodlouží trvanlivost potravin a připraví maso na sous-vide."),
                t("sous-vide", "Sous-vide ponorný cirkulátor", "Sous vide circulator", &["do 30 l", "do 56 l"], 5_900.0, 19_000.0, "Ponorný cirkulátor udrží teplotu vodní lázně s přesností 0,1 °C."),
                t("odstavnovac", "Odšťavňovač", "Juicer", &["odstředivý", "šnekový", "na citrusy"], 3_900.0, 29_000.0, "Odšťavňovač na čerstvé džusy z ovoce a zeleniny."),
                t("skrabka-brambor", "Škrabka na brambory", "Potato peeler", &["5 kg", "10 kg", "20 kg"], 19_000.0, 69_000.0, "Elektrická škrabka na brambory s karborundovým povrchem."),
                t("hnetac-testa", "Hnětač těsta spirálový", "Spiral dough mixer", &["20 l", "30 l", "50 l"], 19_000.0, 79_000.0, "Spirálový hnětač na kynutá těsta a pizzu."),
                t("rychlovarna-konvice", "Rychlovarná konvice", "Electric kettle", &["1,7 l", "2,5 l"], 490.0, 1_990.0, "Nerezová rychlovarná konvice pro hotelové pokoje i kuchyni."),
                t("ohrivac-taliru", "Ohřívač talířů", "Plate warmer", &["30 talířů", "60 talířů", "120 talířů"], 7_900.0, 39_000.0, "Ohřívač talířů udrží talíře teplé před výdejem."),
                t("infralampa", "Infralampa ohřívací", "Heat lamp", &["1 lampa", "2 lampy"], 1_990.0, 7_900.0, "Ohřívací infralampa nad výdejní pult."),
                t("vitrina-ohrivaci", "Ohřívací vitrína", "Heated display case", &["2 police", "3 police"], 9_900.0, 39_000.0, "Ohřívací vitrína na pečivo a teplé snacky."),
                t("popcorn", "Stroj na popcorn", "Popcorn machine", &["4 oz", "8 oz"], 5_900.0, 19_000.0, "Stroj na popcorn s nerezovým kotlíkem a osvětlením."),
                t("cokoladova-fontana", "Čokoládová fontána", "Chocolate fountain", &["3 patra", "5 pater"], 4_900.0, 24_000.0, "Čokoládová fontána na bufety a svatby."),
            ],
        )
    },
    Group {
        brands: B_POULTRY,
        suppliers: S_MEAT,
        unit: "kg",
        vat: 12,
        english: 0.2,
        pack: true,
        weight: 5,
        cz_text: &["Původ ČR, skladujte při 0 až +4 °C.", "Balení v ochranné atmosféře.", "Mražené výrobky skladujte při -18 °C."],
        en_text: &["Store chilled at 0 to +4 °C.", "Packed in a protective atmosphere."],
        ..g(
            "Potraviny / Drůbež",
            "DRU",
            &[
                t("kure-prsa", "Kuřecí prsa bez kosti chlazená", "Chicken breast fillet chilled", &["1 kg", "2 kg", "2,5 kg", "5 kg"], 119.0, 229.0, "Kuřecí prsní řízky bez kosti a kůže, kalibrované 180–220 g."),
                t("kure-prsa-iqf", "Kuřecí prsní řízky mražené IQF", "Chicken breast fillet IQF", &["2,5 kg", "5 kg", "10 kg"], 99.0, 189.0, "Jednotlivě zmrazené kuřecí prsní filety, lze odebírat po kusech."),
                t("kure-stehna", "Kuřecí stehna chlazená", "Chicken legs chilled", &["1 kg", "2 kg", "5 kg"], 69.0, 119.0, "Celá kuřecí stehna s kůží na pečení."),
                t("kure-horni-stehna", "Kuřecí horní stehna bez kosti", "Boneless chicken thighs", &["2 kg", "2,5 kg"], 119.0, 189.0, "Vykostěná horní stehna, šťavnatá na gril i do wok."),
                t("kure-kridla", "Kuřecí křídla", "Chicken wings", &["1 kg", "2,5 kg", "5 kg"], 59.0, 109.0, "Kuřecí křídla na grilování a pečení."),
                t("kure-cele", "Kuře celé chlazené", "Whole chicken chilled", &["1,2 kg", "1,4 kg", "1,6 kg"], 69.0, 99.0, "Celé kuře kalibrované podle hmotnosti."),
                t("kure-stripsy", "Kuřecí stripsy obalované mražené", "Breaded chicken strips frozen", &["1 kg", "2,5 kg"], 149.0, 249.0, "Předsmažené obalované kuřecí stripsy na fritování a do trouby."),
                t("kure-nugety", "Kuřecí nugety mražené", "Chicken nuggets frozen", &["1 kg", "2,5 kg"], 129.0, 219.0, "Obalované kuřecí nugety z mletého prsního masa."),
                t("kruti-prsa", "Krůtí prsa bez kosti chlazená", "Turkey breast fillet chilled", &["1 kg", "2 kg", "5 kg"], 159.0, 269.0, "Krůtí prsní filet bez kůže, libové maso na řízky a medailonky."),
                t("kruti-stehna", "Krůtí stehna", "Turkey thighs", &["2 kg", "5 kg"], 99.0, 169.0, "Krůtí stehna s kostí na pečení a dušení."),
                t("kachni-prsa", "Kachní prsa s kůží", "Duck breast skin-on", &["300 g", "1 kg", "2 kg"], 299.0, 459.0, "Kachní prsa s kůží na pánev a do trouby."),
                t("kachna-cela", "Kachna celá mražená", "Whole duck frozen", &["2,2 kg", "2,6 kg"], 119.0, 169.0, "Celá kachna na pečení se zelím a knedlíkem."),
                t("kachni-stehna-konfit", "Kachní stehna konfitovaná", "Duck leg confit", &["2 ks", "1 kg"], 390.0, 590.0, "Kachní stehna pomalu konfitovaná ve vlastním sádle, stačí dopéct."),
                t("husa-cela", "Husa celá mražená", "Whole goose frozen", &["4 kg", "5 kg"], 169.0, 229.0, "Celá husa na svatomartinské menu."),
                t("kure-jatra", "Kuřecí játra", "Chicken livers", &["500 g", "1 kg"], 59.0, 99.0, "Chlazená kuřecí játra na paštiky a rizota."),
            ],
        )
    },
    Group {
        brands: B_MEAT,
        suppliers: S_MEAT,
        unit: "kg",
        vat: 12,
        english: 0.1,
        pack: true,
        weight: 4,
        cz_text: &["Chlazené maso, původ ČR.", "Vakuově baleno, skladujte při 0 až +4 °C.", "Maso z kontrolovaného chovu."],
        en_text: &["Chilled, vacuum packed.", "Store at 0 to +4 °C."],
        ..g(
            "Potraviny / Maso a uzeniny",
            "MAS",
            &[
                t("veprova-krkovice", "Vepřová krkovice bez kosti", "Boneless pork neck", &["1 kg", "cca 2 kg", "cca 4 kg"], 109.0, 189.0, "Prorostlá vepřová krkovice na steaky, pečeni a gril."),
                t("veprova-panenka", "Vepřová panenka", "Pork tenderloin", &["cca 0,5 kg", "1 kg"], 189.0, 289.0, "Nejjemnější vepřové maso na medailonky."),
                t("veprova-kyta", "Vepřová kýta", "Pork leg", &["cca 3 kg", "cca 5 kg"], 99.0, 159.0, "Libová vepřová kýta na řízky a guláš."),
                t("veprovy-bok", "Vepřový bok s kůží", "Pork belly skin-on", &["cca 3 kg", "cca 5 kg"], 99.0, 149.0, "Vepřový bok na pomalé pečení a bůček."),
                t("veprova-zebra", "Vepřová žebra", "Pork spare ribs", &["1 kg", "2 kg", "5 kg"], 89.0, 149.0, "Masitá vepřová žebra na pečení a gril."),
                t("veprova-kotleta", "Vepřová kotleta bez kosti", "Boneless pork loin", &["cca 2 kg", "cca 4 kg"], 119.0, 179.0, "Vepřová kotleta na přírodní řízky."),
                t("hovezi-svickova", "Hovězí svíčková", "Beef tenderloin", &["cca 2 kg", "cca 2,5 kg"], 690.0, 1_290.0, "Hovězí svíčková bez řetízku na steaky a tatarák."),
                t("hovezi-rostena", "Hovězí roštěná", "Beef sirloin", &["cca 3 kg", "cca 5 kg"], 390.0, 690.0, "Hovězí roštěná na steaky a roštěnky."),
                t("hovezi-zadni", "Hovězí zadní bez kosti", "Beef topside", &["cca 5 kg", "cca 8 kg"], 249.0, 389.0, "Hovězí zadní na svíčkovou na smetaně a pečeně."),
                t("hovezi-predni", "Hovězí přední", "Beef chuck", &["cca 3 kg", "cca 5 kg"], 169.0, 249.0, "Hovězí přední na guláš a vývar."),
                t("hovezi-licka", "Hovězí líčka", "Beef cheeks", &["1 kg", "2 kg"], 249.0, 349.0, "Hovězí líčka na dlouhé dušení na víně."),
                t("mlete-hovezi", "Mleté maso hovězí", "Minced beef", &["500 g", "1 kg", "2,5 kg"], 159.0, 229.0, "Mleté hovězí maso na burgery, boloňskou omáčku a karbanátky."),
                t("mlete-smes", "Mleté maso vepřové a hovězí", "Mixed minced meat", &["500 g", "1 kg", "2,5 kg"], 119.0, 179.0, "Mleté maso směs vepřového a hovězího na sekanou a plněné papriky."),
                t("teleci-kyta", "Telecí kýta", "Veal leg", &["cca 2 kg", "cca 4 kg"], 390.0, 590.0, "Telecí kýta na vídeňské řízky a medailonky."),
                t("jehneci-kyta", "Jehněčí kýta", "Lamb leg", &["cca 2 kg", "cca 3 kg"], 390.0, 590.0, "Jehněčí kýta s kostí na pečení."),
                t("hovezi-burger", "Hovězí burger mražený", "Beef burger patty frozen", &["10× 150 g", "20× 120 g", "40× 180 g"], 189.0, 1_290.0, "Hovězí burgery ze 100 % hovězího masa, tvarované a zmrazené."),
                t("slanina", "Slanina anglická", "Bacon", &["500 g", "1 kg"], 149.0, 249.0, "Uzená anglická slanina v plátcích."),
                t("sunka", "Šunka dušená nejvyšší jakosti", "Cooked ham premium", &["1 kg", "cca 3 kg"], 189.0, 289.0, "Dušená šunka s obsahem masa 90 % na snídaně a chlebíčky."),
                t("parky", "Párky vídeňské", "Vienna sausages", &["1 kg", "2,5 kg"], 129.0, 189.0, "Jemné vídeňské párky v přírodním střívku."),
                t("klobasa", "Klobása grilovací", "Grill sausage", &["1 kg", "2,5 kg"], 149.0, 219.0, "Hrubá grilovací klobása z vepřového masa."),
                t("salam", "Salám Vysočina", "Vysočina salami", &["1 kg", "cca 2 kg"], 189.0, 289.0, "Trvanlivý salám Vysočina na nářezy."),
            ],
        )
    },
    Group {
        brands: B_FISH,
        suppliers: S_FISH,
        unit: "kg",
        vat: 12,
        english: 0.45,
        pack: true,
        weight: 4,
        cz_text: &["Mražené výrobky skladujte při -18 °C.", "Rozmrazujte pomalu v chladničce.", "Certifikace MSC z udržitelného rybolovu."],
        en_text: &["Keep frozen at -18 °C.", "Thaw slowly in the fridge.", "MSC certified."],
        ..g(
            "Potraviny / Ryby a plody moře",
            "RYB",
            &[
                t("losos-filet", "Losos filet s kůží chlazený", "Salmon fillet skin-on chilled", &["1 kg", "cca 1,5 kg"], 389.0, 549.0, "Filet z atlantského lososa s kůží, bez kostí."),
                t("losos-porce", "Losos porce bez kůže mražené", "Salmon portions skinless frozen", &["10× 125 g", "1 kg", "5 kg"], 349.0, 499.0, "Porce lososa bez kůže a kostí, jednotlivě zmrazené."),
                t("treska-filet", "Treska filet mražený", "Cod fillet frozen", &["1 kg", "5 kg"], 259.0, 389.0, "Filet z tresky obecné bez kůže."),
                t("pangasius", "Pangasius filet mražený", "Pangasius fillet frozen", &["1 kg", "5 kg"], 119.0, 169.0, "Filet z pangasia bez kůže, glazura 10 %."),
                t("kapr-porce", "Kapr porce", "Carp portions", &["1 kg", "2,5 kg"], 169.0, 239.0, "Porce českého kapra na smažení."),
                t("pstruh", "Pstruh duhový celý", "Rainbow trout whole", &["cca 300 g", "1 kg"], 219.0, 299.0, "Pstruh duhový kuchaný, chlazený."),
                t("krevety-loupane", "Krevety loupané mražené", "Peeled prawns frozen", &["500 g", "1 kg"], 329.0, 549.0, "Loupané a vařené krevety bez ocásku."),
                t("krevety-tygri", "Krevety tygří neloupané", "Tiger prawns shell-on", &["1 kg", "2 kg"], 389.0, 649.0, "Velké tygří krevety s krunýřem na gril."),
                t("tunak-olej", "Tuňák v oleji", "Tuna in oil", &["185 g", "1,7 kg"], 39.0, 449.0, "Kousky tuňáka ve slunečnicovém oleji."),
                t("tunak-steak", "Tuňák steak mražený", "Tuna steak frozen", &["1 kg", "5 kg"], 449.0, 649.0, "Steaky ze žlutoploutvého tuňáka."),
                t("slavky", "Slávky mušle vařené", "Cooked mussels", &["500 g", "1 kg"], 149.0, 249.0, "Vařené slávky v lasturách, mražené."),
                t("kalamary", "Kalamáry kroužky obalované", "Breaded squid rings", &["1 kg", "2,5 kg"], 189.0, 289.0, "Obalované kalamárové kroužky na fritování."),
                t("rybi-prsty", "Rybí prsty mražené", "Fish fingers frozen", &["1 kg", "2,5 kg"], 129.0, 199.0, "Obalované rybí prsty z tresky, oblíbené ve školních jídelnách."),
                t("sledi", "Sledě v marinádě", "Marinated herrings", &["1 kg", "3 kg"], 149.0, 219.0, "Sleďové filety v kořeněné marinádě."),
            ],
        )
    },
    Group {
        brands: B_DAIRY,
        suppliers: S_DAIRY,
        vat: 12,
        english: 0.15,
        pack: true,
        weight: 4,
        cz_text: &["Skladujte v chladu při +4 až +8 °C.", "Vyrobeno z českého mléka."],
        en_text: &["Keep refrigerated at +4 to +8 °C."],
        ..g(
            "Potraviny / Mléčné výrobky a vejce",
            "MLE",
            &[
                t("maslo", "Máslo 82 %", "Butter 82%", &["250 g", "1 kg", "5 kg"], 49.0, 899.0, "Čerstvé máslo s obsahem tuku 82 %."),
                t("smetana-slehani", "Smetana ke šlehání 33 %", "Whipping cream 33%", &["250 ml", "1 l", "5 l"], 29.0, 449.0, "Smetana ke šlehání pro dezerty a omáčky."),
                t("smetana-vareni", "Smetana na vaření 12 %", "Cooking cream 12%", &["200 ml", "1 l"], 19.0, 99.0, "Smetana na vaření, nesráží se v omáčkách."),
                t("mleko-plnotucne", "Mléko plnotučné 3,5 %", "Whole milk 3.5%", &["1 l", "10 l"], 21.0, 219.0, "Čerstvé plnotučné mléko pro kávu a vaření."),
                t("mleko-trvanlive", "Mléko trvanlivé polotučné 1,5 %", "UHT semi-skimmed milk 1.5%", &["1 l", "12× 1 l"], 18.0, 229.0, "Trvanlivé mléko vhodné i na napěňování."),
                t("jogurt-bily", "Jogurt bílý", "Plain yoghurt", &["150 g", "1 kg", "5 kg"], 12.0, 299.0, "Bílý jogurt s živými kulturami."),
                t("jogurt-recky", "Řecký jogurt 10 %", "Greek yoghurt 10%", &["150 g", "1 kg"], 19.0, 149.0, "Hustý řecký jogurt na dipy a snídaně."),
                t("tvaroh", "Tvaroh měkký", "Soft quark", &["250 g", "1 kg", "5 kg"], 25.0, 449.0, "Měkký tvaroh na buchty a pomazánky."),
                t("syr-eidam", "Sýr Eidam 30 % blok", "Edam cheese block", &["cca 2,5 kg", "cca 3 kg"], 129.0, 189.0, "Eidam v bloku na plátky i smažený sýr."),
                t("syr-gouda", "Sýr Gouda blok", "Gouda cheese block", &["cca 3 kg", "cca 5 kg"], 149.0, 219.0, "Holandský sýr Gouda v bloku."),
                t("mozzarella", "Mozzarella", "Mozzarella", &["125 g", "1 kg", "2,5 kg"], 25.0, 449.0, "Mozzarella na pizzu a saláty caprese."),
                t("parmazan", "Parmazán Parmigiano Reggiano", "Parmigiano Reggiano", &["200 g", "1 kg", "cca 5 kg"], 89.0, 2_990.0, "Parmazán zrající 24 měsíců."),
                t("syr-niva", "Sýr Niva", "Blue cheese", &["100 g", "cca 2,5 kg"], 29.0, 449.0, "Plísňový sýr Niva na omáčky a saláty."),
                t("hermelin", "Hermelín", "Camembert-style cheese", &["100 g", "120 g"], 29.0, 39.0, "Sýr s bílou plísní na povrchu, k nakládání i grilování."),
                t("mascarpone", "Mascarpone", "Mascarpone", &["250 g", "500 g"], 49.0, 109.0, "Smetanový sýr mascarpone na tiramisu."),
                t("syr-strouhany", "Sýr strouhaný na pizzu", "Grated pizza cheese", &["1 kg", "2 kg"], 169.0, 329.0, "Směs strouhaných sýrů na pizzu a zapékání."),
                t("vejce", "Vejce slepičí M", "Hen eggs M", &["30 ks", "180 ks", "360 ks"], 99.0, 1_190.0, "Čerstvá slepičí vejce velikosti M z podestýlkového chovu."),
                t("vejce-melanz", "Vaječná melanž pasterovaná", "Pasteurised liquid egg", &["1 l", "5 l"], 79.0, 349.0, "Pasterovaná vaječná melanž, bezpečná pro omelety a pečení."),
            ],
        )
    },
    Group {
        brands: B_DRY,
        suppliers: S_FOOD,
        vat: 12,
        english: 0.2,
        pack: true,
        weight: 4,
        cz_text: &["Skladujte v suchu při teplotě do 25 °C.", "Velkoobchodní balení pro gastro provozy."],
        en_text: &["Store in a dry place below 25 °C.", "Catering pack."],
        ..g(
            "Potraviny / Suché potraviny a konzervy",
            "SUC",
            &[
                t("mouka-hladka", "Mouka pšeničná hladká 00 extra", "Plain wheat flour 00", &["1 kg", "5 kg", "25 kg"], 12.0, 249.0, "Hladká mouka na omáčky, těstoviny a jemné pečivo."),
                t("mouka-polohruba", "Mouka pšeničná polohrubá", "Semi-coarse wheat flour", &["1 kg", "25 kg"], 13.0, 259.0, "Polohrubá mouka na knedlíky a kynutá těsta."),
                t("mouka-hruba", "Mouka pšeničná hrubá", "Coarse wheat flour", &["1 kg", "25 kg"], 13.0, 259.0, "Hrubá mouka na nudle a halušky."),
                t("mouka-pizza", "Mouka na pizzu tipo 00", "Pizza flour tipo 00", &["5 kg", "25 kg"], 99.0, 449.0, "Italská mouka s vysokým obsahem lepku na pizzu."),
                t("ryze-basmati", "Rýže basmati", "Basmati rice", &["1 kg", "5 kg", "20 kg"], 49.0, 899.0, "Aromatická dlouhozrnná rýže basmati."),
                t("ryze-jasminova", "Rýže jasmínová", "Jasmine rice", &["1 kg", "5 kg"], 45.0, 229.0, "Thajská jasmínová rýže, po uvaření lehce lepivá."),
                t("ryze-parboiled", "Rýže dlouhozrnná parboiled", "Parboiled long grain rice", &["1 kg", "5 kg", "20 kg"], 35.0, 599.0, "Předpařená rýže, která se nerozvaří, ideální pro jídelny."),
                t("ryze-arborio", "Rýže arborio na rizoto", "Arborio risotto rice", &["1 kg", "5 kg"], 69.0, 329.0, "Kulatozrnná rýže arborio na rizota."),
                t("testoviny-penne", "Těstoviny penne rigate", "Penne rigate pasta", &["500 g", "3 kg", "5 kg"], 29.0, 249.0, "Semolinové těstoviny penne z tvrdé pšenice."),
                t("testoviny-spagety", "Těstoviny špagety", "Spaghetti", &["500 g", "3 kg", "5 kg"], 29.0, 249.0, "Semolinové špagety z tvrdé pšenice."),
                t("testoviny-fusilli", "Těstoviny fusilli", "Fusilli pasta", &["500 g", "5 kg"], 29.0, 249.0, "Vřetena fusilli do salátů a zapékání."),
                t("lasagne", "Lasagne pláty", "Lasagne sheets", &["500 g", "1 kg"], 49.0, 119.0, "Vaječné pláty na lasagne bez předvaření."),
                t("kuskus", "Kuskus", "Couscous", &["1 kg", "5 kg"], 49.0, 229.0, "Kuskus z tvrdé pšenice, hotový za 5 minut."),
                t("cocka", "Čočka velkozrnná", "Brown lentils", &["500 g", "5 kg"], 35.0, 299.0, "Velkozrnná čočka na polévky a přílohy."),
                t("fazole-bile", "Fazole bílé", "White beans", &["500 g", "5 kg"], 39.0, 329.0, "Bílé fazole na polévky a fazolový salát."),
                t("cukr-krystal", "Cukr krystal", "Granulated sugar", &["1 kg", "5 kg", "50 kg"], 19.0, 899.0, "Řepný cukr krystal."),
                t("cukr-moucka", "Cukr moučka", "Icing sugar", &["1 kg", "5 kg"], 25.0, 119.0, "Jemný cukr moučka na krémy a posyp."),
                t("sul", "Sůl jedlá jodidovaná", "Iodised table salt", &["1 kg", "25 kg"], 8.0, 149.0, "Jedlá sůl s jódem a fluorem."),
                t("strouhanka", "Strouhanka", "Breadcrumbs", &["1 kg", "5 kg"], 29.0, 129.0, "Strouhanka z pšeničného pečiva na obalování řízků."),
                t("panko", "Strouhanka panko", "Panko breadcrumbs", &["1 kg", "10 kg"], 79.0, 690.0, "Japonská strouhanka panko pro extra křupavý obal."),
                t("olej-repkovy", "Olej řepkový", "Rapeseed oil", &["1 l", "5 l", "10 l"], 39.0, 399.0, "Rafinovaný řepkový olej na vaření a pečení."),
                t("olej-fritovaci", "Olej fritovací řepkový", "Rapeseed frying oil", &["10 l", "20 l"], 399.0, 799.0, "Vysokoolejnatý fritovací olej s dlouhou životností."),
                t("olej-olivovy", "Olej olivový extra panenský", "Extra virgin olive oil", &["1 l", "5 l"], 199.0, 899.0, "Extra panenský olivový olej za studena lisovaný."),
                t("ocet-kvasny", "Ocet kvasný 8 %", "Spirit vinegar 8%", &["1 l", "5 l"], 12.0, 69.0, "Kvasný lihový ocet na nakládání a zálivky."),
                t("ocet-balsamico", "Ocet balsamico di Modena", "Balsamic vinegar of Modena", &["0,5 l", "5 l"], 79.0, 549.0, "Balzamikový ocet z Modeny."),
                t("rajcata-loupana", "Rajčata loupaná v plechovce", "Peeled tomatoes tinned", &["400 g", "2,5 kg"], 25.0, 119.0, "Italská loupaná rajčata v rajčatové šťávě."),
                t("rajcatovy-protlak", "Rajčatový protlak", "Tomato paste", &["190 g", "800 g", "4,5 kg"], 19.0, 249.0, "Zahuštěný rajčatový protlak 28 %."),
                t("kecup", "Kečup", "Ketchup", &["500 g", "5 kg"], 39.0, 349.0, "Jemný rajčatový kečup v gastro balení."),
                t("horcice", "Hořčice plnotučná", "Mustard", &["500 g", "5 kg"], 29.0, 249.0, "Plnotučná hořčice k uzeninám a do omáček."),
                t("majoneza", "Majonéza", "Mayonnaise", &["600 ml", "5 l"], 79.0, 489.0, "Majonéza s obsahem oleje 80 %."),
                t("bujon-hovezi", "Bujón hovězí", "Beef stock powder", &["1 kg", "2 kg"], 199.0, 389.0, "Instantní hovězí bujón na polévky a omáčky."),
                t("bujon-kureci", "Bujón kuřecí", "Chicken stock powder", &["1 kg", "2 kg"], 199.0, 389.0, "Instantní kuřecí bujón."),
                t("jiska", "Jíška světlá", "Light roux", &["1 kg", "3 kg"], 89.0, 249.0, "Hotová světlá jíška na zahušťování polévek a omáček."),
                t("drozdi", "Droždí čerstvé", "Fresh yeast", &["42 g", "1 kg"], 5.0, 79.0, "Čerstvé pekařské droždí, skladujte v chladu."),
            ],
        )
    },
    Group {
        brands: B_SPICE,
        suppliers: S_FOOD,
        vat: 12,
        english: 0.15,
        pack: true,
        weight: 3,
        cz_text: &["Skladujte v suchu, chraňte před světlem.", "Gastro balení s uzávěrem."],
        en_text: &["Store dry, away from light."],
        ..g(
            "Potraviny / Koření",
            "KOR",
            &[
                t("paprika-sladka", "Paprika sladká mletá", "Sweet ground paprika", &["100 g", "500 g", "1 kg"], 29.0, 249.0, "Sladká mletá paprika na guláš a papriky."),
                t("paprika-uzena", "Paprika uzená mletá", "Smoked paprika", &["100 g", "500 g"], 39.0, 219.0, "Uzená paprika pro kouřovou chuť."),
                t("pepr-cely", "Pepř černý celý", "Whole black pepper", &["100 g", "500 g", "1 kg"], 39.0, 449.0, "Celý černý pepř do mlýnků."),
                t("pepr-mlety", "Pepř černý mletý", "Ground black pepper", &["100 g", "500 g", "1 kg"], 39.0, 429.0, "Mletý černý pepř."),
                t("kmin", "Kmín celý", "Whole caraway seeds", &["100 g", "500 g", "1 kg"], 19.0, 199.0, "Celý kmín na pečeně a chléb."),
                t("majoranka", "Majoránka drhnutá", "Dried marjoram", &["50 g", "250 g"], 29.0, 149.0, "Drhnutá majoránka do bramboračky a jater."),
                t("oregano", "Oregano sušené", "Dried oregano", &["50 g", "250 g"], 29.0, 149.0, "Sušené oregano na pizzu."),
                t("bazalka", "Bazalka sušená", "Dried basil", &["50 g", "250 g"], 29.0, 149.0, "Sušená bazalka do rajčatových omáček."),
                t("tymian", "Tymián sušený", "Dried thyme", &["50 g", "250 g"], 29.0, 149.0, "Sušený tymián k masu a zelenině."),
                t("skorice", "Skořice mletá", "Ground cinnamon", &["100 g", "500 g"], 29.0, 199.0, "Mletá skořice cejlonská."),
                t("kari", "Kari koření", "Curry powder", &["100 g", "500 g"], 29.0, 199.0, "Směs kari koření."),
                t("cesnek-granulovany", "Česnek granulovaný", "Granulated garlic", &["100 g", "500 g"], 29.0, 199.0, "Sušený granulovaný česnek."),
                t("bobkovy-list", "Bobkový list", "Bay leaves", &["20 g", "100 g"], 19.0, 99.0, "Sušený bobkový list."),
                t("nove-koreni", "Nové koření celé", "Whole allspice", &["100 g", "500 g"], 39.0, 249.0, "Celé nové koření do omáček a marinád."),
                t("muskatovy-orisek", "Muškátový oříšek mletý", "Ground nutmeg", &["100 g", "500 g"], 59.0, 349.0, "Mletý muškátový oříšek do bešamelu."),
                t("chilli", "Chilli mleté", "Ground chilli", &["100 g", "500 g"], 29.0, 199.0, "Pálivé mleté chilli."),
                t("koreni-gyros", "Koření na gyros", "Gyros seasoning", &["500 g", "1 kg"], 99.0, 249.0, "Kořenicí směs na gyros a kebab."),
                t("koreni-grilovaci", "Grilovací koření", "Barbecue seasoning", &["500 g", "1 kg"], 99.0, 249.0, "Kořenicí směs na grilované maso."),
                t("vanilkovy-cukr", "Vanilkový cukr", "Vanilla sugar", &["20 g", "1 kg"], 5.0, 149.0, "Vanilkový cukr do moučníků."),
            ],
        )
    },
    Group {
        brands: B_FROZEN,
        suppliers: S_FROZEN,
        vat: 12,
        english: 0.4,
        pack: true,
        weight: 4,
        cz_text: &["Skladujte při -18 °C, po rozmrazení znovu nezmrazujte.", "Připravte z mraženého stavu."],
        en_text: &["Keep frozen at -18 °C.", "Cook from frozen."],
        ..g(
            "Potraviny / Mražené potraviny",
            "MRZ",
            &[
                t("hranolky", "Hranolky mražené 9×9 mm", "Frozen french fries 9×9 mm", &["2,5 kg", "10 kg"], 79.0, 299.0, "Předsmažené bramborové hranolky na fritování i do trouby."),
                t("hranolky-steakove", "Hranolky steakové mražené", "Frozen steak fries", &["2,5 kg", "10 kg"], 89.0, 319.0, "Silné steakové hranolky se slupkou."),
                t("hranolky-batatove", "Batátové hranolky mražené", "Sweet potato fries frozen", &["2,5 kg"], 249.0, 349.0, "Hranolky ze sladkých brambor."),
                t("americke-brambory", "Americké brambory mražené", "Potato wedges frozen", &["2,5 kg", "10 kg"], 89.0, 329.0, "Kořeněné bramborové měsíčky se slupkou."),
                t("krokety", "Bramborové krokety mražené", "Potato croquettes frozen", &["1 kg", "2,5 kg"], 59.0, 149.0, "Bramborové krokety na fritování."),
                t("zelenina-mix", "Zeleninová směs mražená", "Frozen mixed vegetables", &["1 kg", "2,5 kg"], 49.0, 129.0, "Směs mrkve, hrášku a kukuřice."),
                t("hrasek", "Hrášek mražený", "Frozen peas", &["1 kg", "2,5 kg"], 49.0, 119.0, "Zelený hrášek jednotlivě zmrazený."),
                t("spenat", "Špenát listový mražený", "Frozen leaf spinach", &["1 kg", "2,5 kg"], 49.0, 129.0, "Listový špenát v porcích."),
                t("brokolice", "Brokolice růžičky mražené", "Frozen broccoli florets", &["1 kg", "2,5 kg"], 59.0, 149.0, "Růžičky brokolice, blanšírované."),
                t("lesni-ovoce", "Lesní ovoce mražené", "Frozen mixed berries", &["1 kg", "2,5 kg"], 119.0, 279.0, "Směs malin, ostružin, borůvek a rybízu."),
                t("pizza-testo", "Pizza těsto mražené", "Frozen pizza dough balls", &["20× 250 g", "40× 200 g"], 299.0, 549.0, "Kynuté těsto na pizzu v porcích."),
                t("croissant", "Croissant máslový mražený", "Frozen butter croissant", &["60× 70 g", "90× 45 g"], 990.0, 1_490.0, "Máslový croissant k dopečení."),
                t("bageta", "Bageta předpečená mražená", "Frozen part-baked baguette", &["30× 280 g", "50× 125 g"], 590.0, 890.0, "Předpečená bageta k dopečení za 8 minut."),
                t("knedlik-houskovy", "Knedlík houskový mražený", "Frozen bread dumpling", &["1 kg", "5 kg"], 49.0, 219.0, "Houskový knedlík krájený, ohřev v páře."),
                t("zmrzlina-vanilkova", "Zmrzlina vanilková", "Vanilla ice cream", &["2,5 l", "5 l"], 249.0, 449.0, "Smetanová vanilková zmrzlina v gastro vaničce."),
                t("zmrzlina-cokoladova", "Zmrzlina čokoládová", "Chocolate ice cream", &["2,5 l", "5 l"], 259.0, 469.0, "Čokoládová zmrzlina v gastro vaničce."),
                t("led-kostky", "Ledové kostky v sáčku", "Ice cubes bagged", &["2 kg", "10 kg"], 39.0, 149.0, "Ledové kostky z pitné vody, balené v sáčku."),
            ],
        )
    },
    Group {
        brands: B_VEG,
        suppliers: S_VEG,
        unit: "kg",
        vat: 12,
        english: 0.1,
        pack: true,
        weight: 3,
        cz_text: &["Čerstvé zboží, dodáváme denně.", "Skladujte v chladu."],
        en_text: &["Fresh produce, delivered daily."],
        ..g(
            "Potraviny / Ovoce a zelenina",
            "ZEL",
            &[
                t("brambory", "Brambory konzumní", "Potatoes", &["5 kg", "25 kg"], 59.0, 249.0, "Konzumní brambory varný typ B."),
                t("cibule", "Cibule žlutá", "Yellow onions", &["5 kg", "25 kg"], 59.0, 249.0, "Žlutá cibule kalibr 40–60 mm."),
                t("cesnek", "Česnek", "Garlic", &["1 kg", "5 kg"], 99.0, 449.0, "Česnek paličák."),
                t("mrkev", "Mrkev", "Carrots", &["5 kg", "10 kg"], 69.0, 129.0, "Mrkev praná."),
                t("rajcata", "Rajčata keříková", "Vine tomatoes", &["1 kg", "5 kg"], 49.0, 229.0, "Keříková rajčata."),
                t("okurka", "Okurka salátová", "Cucumber", &["1 ks", "12 ks"], 15.0, 189.0, "Salátová okurka hadovka."),
                t("salat-ledovy", "Salát ledový", "Iceberg lettuce", &["1 ks", "10 ks"], 25.0, 229.0, "Ledový salát."),
                t("citrony", "Citrony", "Lemons", &["1 kg", "5 kg"], 49.0, 229.0, "Citrony k nápojům i do kuchyně."),
                t("limetky", "Limetky", "Limes", &["1 kg", "4 kg"], 69.0, 249.0, "Limetky do koktejlů."),
                t("zampiony", "Žampiony", "Button mushrooms", &["1 kg", "3 kg"], 89.0, 249.0, "Bílé žampiony."),
                t("paprika-cervena", "Paprika červená", "Red bell peppers", &["1 kg", "5 kg"], 69.0, 299.0, "Červená paprika kapie."),
                t("avokado", "Avokádo Hass", "Hass avocado", &["1 ks", "4 kg"], 29.0, 449.0, "Avokádo Hass připravené ke konzumaci."),
            ],
        )
    },
    Group {
        brands: B_CLEAN,
        suppliers: S_CLEAN,
        english: 0.25,
        pack: true,
        weight: 3,
        cz_text: &[
            "Používejte ochranné rukavice, dbejte pokynů na etiketě.",
            "Koncentrát, ředění podle znečištění.",
            "Vhodné pro potravinářské provozy.",
        ],
        en_text: &["Wear protective gloves.", "Concentrate, dilute as required."],
        ..g(
            "Hygiena a úklid / Mycí a čisticí prostředky",
            "CIS",
            &[
                t("mycka-prostredek", "Prostředek do myčky nádobí", "Dishwasher detergent", &["5 l", "10 l", "20 l"], 349.0, 1_390.0, "Tekutý alkalický mycí prostředek pro profesionální myčky nádobí a sklenic."),
                t("mycka-oplach", "Oplachový prostředek do myčky", "Dishwasher rinse aid", &["5 l", "10 l"], 390.0, 890.0, "Leštidlo pro oplach bez skvrn a rychlé schnutí nádobí."),
                t("mycka-tablety", "Tablety do myčky nádobí", "Dishwasher tablets", &["100 ks", "200 ks"], 390.0, 890.0, "Tablety do myčky nádobí s odstraňovačem škrobu."),
                t("myti-rucni", "Prostředek na ruční mytí nádobí", "Hand dishwashing liquid", &["1 l", "5 l", "10 l"], 49.0, 590.0, "Koncentrovaný prostředek na ruční mytí nádobí, šetrný k pokožce."),
                t("odmastovac", "Odmašťovač na grily a trouby", "Oven and grill degreaser", &["1 l", "5 l"], 149.0, 690.0, "Silný odmašťovač na připáleniny z grilů, trub a fritéz."),
                t("cistic-konvektomat", "Čistič konvektomatů", "Combi oven cleaner", &["5 l", "10 l"], 690.0, 1_490.0, "Tekutý čistič pro automatické mytí konvektomatů."),
                t("tablety-konvektomat", "Mycí tablety do konvektomatu", "Combi oven cleaning tablets", &["100 ks", "150 ks"], 2_490.0, 5_900.0, "Mycí tablety pro automatický čisticí program konvektomatu."),
                t("odvapnovac", "Odvápňovač", "Descaler", &["1 l", "5 l", "10 l"], 149.0, 990.0, "Kyselý odvápňovač pro myčky, konvektomaty a kávovary."),
                t("cistic-podlah", "Čistič podlah", "Floor cleaner", &["1 l", "5 l", "10 l"], 79.0, 590.0, "Čistič podlah do kuchyní s odmašťující složkou."),
                t("cistic-nerez", "Čistič nerezu", "Stainless steel cleaner", &["0,5 l", "1 l", "5 l"], 99.0, 690.0, "Čistič a leštěnka nerezových povrchů, nezanechává šmouhy."),
                t("cistic-skla", "Čistič skla", "Glass cleaner", &["0,5 l", "5 l"], 49.0, 390.0, "Čistič oken, vitrín a zrcadel."),
                t("wc-cistic", "WC čistič gel", "Toilet cleaner gel", &["0,75 l", "5 l"], 49.0, 390.0, "Gelový čistič toalet s odstraňovačem vodního kamene."),
                t("cistic-kavovar", "Čisticí tablety do kávovaru", "Coffee machine cleaning tablets", &["100 ks", "150 ks"], 390.0, 890.0, "Tablety na čištění spařovací jednotky kávovaru od kávových olejů."),
            ],
        )
    },
    Group {
        brands: B_CLEAN,
        suppliers: S_CLEAN,
        english: 0.25,
        pack: true,
        weight: 3,
        cz_text: &["Biocidní přípravek, používejte bezpečně.", "Účinnost ověřena podle norem EN."],
        en_text: &["Biocidal product, use safely."],
        ..g(
            "Hygiena a úklid / Dezinfekce a mýdla",
            "DEZ",
            &[
                t("dezinfekce-povrchu", "Dezinfekce povrchů", "Surface disinfectant", &["1 l", "5 l", "10 l"], 129.0, 890.0, "Dezinfekce pracovních ploch, prkének a nářadí, baktericidní a virucidní."),
                t("dezinfekce-rukou", "Dezinfekce rukou gel", "Hand sanitiser gel", &["0,5 l", "1 l", "5 l"], 99.0, 790.0, "Alkoholový gel na dezinfekci rukou bez oplachu."),
                t("mydlo-tekute", "Mýdlo tekuté", "Liquid hand soap", &["0,5 l", "5 l"], 49.0, 390.0, "Tekuté mýdlo na ruce s glycerinem."),
                t("mydlo-pena", "Pěnové mýdlo náplň", "Foam soap refill", &["0,8 l", "1 l"], 149.0, 290.0, "Náplň pěnového mýdla do dávkovačů."),
                t("chlorovy-pripravek", "Chlorový přípravek", "Chlorine bleach", &["1 l", "5 l"], 39.0, 190.0, "Chlorový dezinfekční a bělicí přípravek."),
                t("dezinfekce-sprej", "Dezinfekční sprej alkoholový", "Alcohol disinfectant spray", &["0,5 l", "1 l"], 99.0, 249.0, "Rychlá dezinfekce teploměrů, nožů a dotykových ploch."),
            ],
        )
    },
    Group {
        brands: B_CLEAN,
        suppliers: S_PACK,
        english: 0.3,
        pack: true,
        weight: 3,
        cz_text: &["Celulóza z certifikovaných zdrojů.", "Kompatibilní s běžnými zásobníky."],
        en_text: &["Fits common dispensers."],
        ..g(
            "Hygiena a úklid / Papírová hygiena a dávkovače",
            "PAP",
            &[
                t("rucniky-zz", "Papírové ručníky ZZ skládané", "Z-fold paper towels", &["3 200 ks", "4 000 ks", "5 000 ks"], 290.0, 690.0, "Skládané papírové ručníky ZZ, dvouvrstvé."),
                t("rucniky-role", "Papírové ručníky v roli", "Paper towel rolls", &["6 rolí", "2 role 150 m"], 290.0, 590.0, "Papírové ručníky v roli do zásobníků."),
                t("toaletni-papir-jumbo", "Toaletní papír Jumbo", "Jumbo toilet paper", &["6 rolí Ø 19 cm", "12 rolí Ø 26 cm"], 290.0, 690.0, "Toaletní papír Jumbo pro veřejné toalety."),
                t("toaletni-papir", "Toaletní papír 2vrstvý", "Toilet paper 2-ply", &["8 rolí", "64 rolí"], 59.0, 449.0, "Dvouvrstvý toaletní papír."),
                t("davkovac-mydla", "Dávkovač mýdla", "Soap dispenser", &["0,5 l", "1 l"], 290.0, 990.0, "Nástěnný dávkovač tekutého mýdla."),
                t("zasobnik-rucniku", "Zásobník na papírové ručníky", "Paper towel dispenser", &["ZZ", "role"], 390.0, 1_490.0, "Uzamykatelný zásobník na papírové ručníky."),
                t("kuchynske-uterky", "Kuchyňské utěrky papírové", "Kitchen paper rolls", &["2 role", "4 role"], 39.0, 129.0, "Savé papírové kuchyňské utěrky."),
                t("ubrousky-papirove", "Ubrousky papírové", "Paper napkins", &["33×33 cm 100 ks", "40×40 cm 50 ks", "24×24 cm 500 ks"], 39.0, 290.0, "Papírové ubrousky v mnoha barvách."),
            ],
        )
    },
    Group {
        brands: B_CLEAN,
        suppliers: S_CLEAN,
        english: 0.25,
        pack: true,
        weight: 3,
        cz_text: &["Spotřební materiál pro úklid provozovny.", "Skladem ve velkém množství."],
        en_text: &["Cleaning supplies."],
        ..g(
            "Hygiena a úklid / Úklidové pomůcky",
            "UKL",
            &[
                t("rukavice-nitril", "Rukavice nitrilové nepudrované", "Powder-free nitrile gloves", &["S 100 ks", "M 100 ks", "L 100 ks", "XL 100 ks"], 119.0, 249.0, "Nitrilové rukavice pro styk s potravinami."),
                t("rukavice-vinyl", "Rukavice vinylové", "Vinyl gloves", &["M 100 ks", "L 100 ks"], 79.0, 149.0, "Jednorázové vinylové rukavice."),
                t("rukavice-uklidove", "Rukavice úklidové gumové", "Rubber cleaning gloves", &["M", "L"], 29.0, 79.0, "Gumové rukavice na úklid a mytí nádobí."),
                t("pytle-odpad", "Pytle na odpad", "Bin bags", &["60 l 50 ks", "120 l 25 ks", "240 l 10 ks"], 49.0, 290.0, "Zesílené pytle na odpad se zatahovací páskou."),
                t("houbicky", "Houbičky na nádobí", "Scouring sponges", &["10 ks", "50 ks"], 29.0, 149.0, "Houbičky s abrazivní vrstvou."),
                t("dratenka", "Drátěnka nerezová", "Stainless steel scourer", &["3 ks", "10 ks"], 29.0, 99.0, "Nerezová drátěnka na připálené nádobí."),
                t("mop", "Mop s třásněmi", "String mop", &["300 g", "400 g"], 79.0, 190.0, "Bavlněný mop s třásněmi."),
                t("uklidovy-vozik", "Úklidový vozík se ždímačem", "Mop trolley with wringer", &["2× 15 l", "2× 25 l"], 1_990.0, 4_900.0, "Úklidový vozík se dvěma kbelíky a ždímačem."),
                t("hadr-podlaha", "Hadr na podlahu", "Floor cloth", &["50×60 cm", "60×70 cm"], 19.0, 59.0, "Tkaný hadr na podlahu."),
                t("uterka-mikro", "Utěrka z mikrovlákna", "Microfibre cloth", &["40×40 cm 5 ks", "40×40 cm 10 ks"], 99.0, 249.0, "Utěrky z mikrovlákna v barvách podle zón úklidu."),
                t("kos-pedal", "Odpadkový koš s pedálem", "Pedal bin", &["30 l", "50 l", "80 l"], 690.0, 2_490.0, "Nerezový odpadkový koš s pedálem a vnitřní nádobou."),
            ],
        )
    },
    Group {
        brands: B_TEXT,
        suppliers: S_TEXTILE,
        materials: &["100% bavlna", "65% polyester, 35% bavlna"],
        english: 0.15,
        weight: 2,
        cz_text: &["Lze prát na 60 °C.", "Pevná tkanina pro každodenní provoz."],
        en_text: &["Washable at 60 °C."],
        ..g(
            "Textil / Pracovní oděvy",
            "ODE",
            &[
                t("rondon", "Rondon kuchařský", "Chef jacket", &["S", "M", "L", "XL", "XXL"], 490.0, 990.0, "Kuchařský rondon s dvouřadým zapínáním na patentky."),
                t("kalhoty-kucharske", "Kuchařské kalhoty", "Chef trousers", &["S", "M", "L", "XL"], 390.0, 790.0, "Kuchařské kalhoty s pepito vzorem a pružným pasem."),
                t("zastera-laclova", "Zástěra s laclem", "Bib apron", &["černá", "bílá", "bordó"], 190.0, 490.0, "Dlouhá zástěra s laclem a kapsou."),
                t("zastera-pas", "Zástěra do pasu", "Waist apron", &["černá", "bílá"], 149.0, 390.0, "Číšnická zástěra do pasu."),
                t("cepice-kucharska", "Kuchařská čepice", "Chef hat", &["papírová", "textilní"], 29.0, 249.0, "Kuchařská čepice, nastavitelná velikost."),
                tm("obuv-pracovni", "Pracovní obuv protiskluzová", "Non-slip work shoes", &["38", "40", "42", "44", "46"], 890.0, 1_990.0, "Protiskluzová pracovní obuv do kuchyně.", "usně a pryž"),
                t("kosile-cisnik", "Košile číšnická", "Waiter shirt", &["S", "M", "L", "XL"], 490.0, 890.0, "Bílá číšnická košile s dlouhým rukávem."),
            ],
        )
    },
    Group {
        brands: B_TEXT,
        suppliers: S_TEXTILE,
        materials: &["100% bavlna", "polyester", "len"],
        english: 0.15,
        weight: 2,
        cz_text: &["Lze prát na 90 °C.", "Hotelová kvalita."],
        en_text: &["Hotel quality."],
        ..g(
            "Textil / Jídelní a kuchyňský textil",
            "TEX",
            &[
                t("ubrus", "Ubrus bavlněný", "Cotton tablecloth", &["130×160 cm", "140×200 cm", "160×260 cm"], 290.0, 990.0, "Damaškový ubrus na restaurační stoly."),
                t("ubrousek-latkovy", "Ubrousek látkový", "Cloth napkin", &["40×40 cm", "50×50 cm"], 49.0, 149.0, "Látkový ubrousek na slavnostní tabuli."),
                t("napron", "Napron", "Table topper", &["80×80 cm", "100×100 cm"], 149.0, 390.0, "Napron na stoly přes ubrus."),
                t("uterka-bavlna", "Utěrka kuchyňská bavlněná", "Cotton tea towel", &["50×70 cm", "45×65 cm"], 49.0, 129.0, "Bavlněná utěrka na nádobí a sklo."),
                t("chnapka", "Chňapka", "Oven glove", &["pár", "jedna"], 99.0, 390.0, "Tepelně izolační chňapka do 250 °C."),
                t("prostirani", "Prostírání", "Placemat", &["30×45 cm", "33×45 cm"], 49.0, 190.0, "Prostírání na stůl, omyvatelné."),
                t("sukne-banket", "Sukně na banketní stůl", "Banquet table skirting", &["4 m", "6 m"], 990.0, 2_490.0, "Plisovaná sukně na banketní a rautové stoly."),
            ],
        )
    },
    Group {
        brands: B_PACK,
        suppliers: S_PACK,
        materials: &["papír", "bagasa", "PLA", "polypropylen", "dřevo"],
        english: 0.3,
        pack: true,
        weight: 3,
        cz_text: &["Vhodné pro rozvoz a jídlo s sebou.", "Splňuje směrnici o jednorázových plastech."],
        en_text: &["For take-away and delivery."],
        ..g(
            "Obaly a jednorázové nádobí / Jednorázové nádobí",
            "JED",
            &[
                t("kelimek-kava", "Kelímek papírový na kávu", "Paper coffee cup", &["0,2 l 50 ks", "0,3 l 50 ks", "0,4 l 50 ks"], 59.0, 149.0, "Papírový kelímek na horké nápoje s dvojitou stěnou."),
                t("vicko-kelimek", "Víčko na kelímek", "Cup lid", &["Ø 80 mm 100 ks", "Ø 90 mm 100 ks"], 79.0, 149.0, "Víčko s otvorem na pití na papírové kelímky."),
                t("kelimek-plast", "Kelímek plastový", "Plastic cup", &["0,3 l 100 ks", "0,5 l 50 ks"], 79.0, 190.0, "Vratný plastový kelímek na festivaly."),
                t("brcka-papirova", "Brčka papírová", "Paper straws", &["200 ks", "500 ks"], 89.0, 249.0, "Papírová brčka, nerozmáčí se."),
                t("talir-papirovy", "Talíř papírový", "Paper plate", &["Ø 23 cm 50 ks", "Ø 26 cm 50 ks"], 79.0, 149.0, "Jednorázový papírový talíř."),
                t("pribory-drevene", "Příborový set dřevěný", "Wooden cutlery set", &["100 ks", "500 ks"], 149.0, 590.0, "Jednorázové dřevěné příbory."),
                t("menu-box", "Menu box z bagasy", "Bagasse meal box", &["1 díl 50 ks", "3 díly 50 ks"], 149.0, 290.0, "Kompostovatelný menu box z cukrové třtiny."),
                t("miska-polevka", "Miska na polévku s víčkem", "Soup container with lid", &["0,5 l 50 ks", "0,75 l 50 ks"], 149.0, 249.0, "Miska na polévku s víčkem pro rozvoz."),
                t("krabice-pizza", "Krabice na pizzu", "Pizza box", &["32 cm 100 ks", "40 cm 50 ks"], 390.0, 690.0, "Krabice na pizzu z vlnité lepenky."),
                t("box-hamburger", "Box na hamburger", "Burger box", &["100 ks", "250 ks"], 190.0, 490.0, "Papírový box na hamburger."),
            ],
        )
    },
    Group {
        brands: B_PACK,
        suppliers: S_PACK,
        materials: &["polyetylen", "hliník", "papír"],
        english: 0.3,
        pack: true,
        weight: 3,
        cz_text: &["Vhodné pro styk s potravinami.", "Balení pro profesionální kuchyně."],
        en_text: &["Food contact safe."],
        ..g(
            "Obaly a jednorázové nádobí / Fólie a obaly",
            "OBA",
            &[
                t("folie-potravinova", "Fólie potravinová", "Cling film", &["30 cm × 300 m", "45 cm × 300 m"], 149.0, 390.0, "Průtažná potravinová fólie v kartonu s řezačkou."),
                t("alobal", "Alobal", "Aluminium foil", &["30 cm × 150 m", "45 cm × 150 m"], 249.0, 590.0, "Hliníková fólie pro gastro provozy."),
                t("papir-pecici", "Papír na pečení", "Baking paper", &["40×60 cm 500 listů", "role 45 cm × 50 m"], 149.0, 790.0, "Silikonový papír na pečení bez tuku."),
                t("vakuove-sacky", "Vakuové sáčky", "Vacuum bags", &["20×30 cm 100 ks", "30×40 cm 100 ks"], 149.0, 390.0, "Vakuové sáčky pro komorové baličky, vhodné pro sous-vide."),
                t("sacky-mikroten", "Sáčky mikrotenové", "Plastic food bags", &["20×30 cm 1000 ks", "30×40 cm 500 ks"], 99.0, 249.0, "Mikrotenové sáčky na potraviny."),
                t("alu-misky", "Hliníková miska s víčkem", "Aluminium tray with lid", &["0,5 l 100 ks", "1 l 100 ks", "GN 1/2 50 ks"], 290.0, 990.0, "Hliníková miska s kartonovým víčkem pro catering."),
                t("sacky-led", "Sáčky na led", "Ice cube bags", &["24 kostek 10 ks", "24 kostek 50 ks"], 39.0, 149.0, "Sáčky na výrobu ledových kostek v mrazáku."),
                t("taska-papirova", "Papírová taška", "Paper carrier bag", &["malá 250 ks", "velká 250 ks"], 390.0, 990.0, "Papírová taška s uchem na rozvoz."),
            ],
        )
    },
    Group {
        brands: B_GN,
        english: 0.2,
        weight: 4,
        cz_text: &["Rozměry podle normy EN 631.", "Stohovatelné, vhodné do konvektomatu, chladničky i vodní lázně."],
        en_text: &["Dimensions to EN 631.", "Stackable."],
        ..g(
            "Gastronádoby / GN nádoby a víka",
            "GN",
            &[
                tm("gn-nerez", "Gastronádoba nerezová", "Stainless steel gastronorm pan", &["GN 1/1 20 mm", "GN 1/1 40 mm", "GN 1/1 65 mm", "GN 1/1 100 mm", "GN 1/1 150 mm", "GN 1/1 200 mm", "GN 1/2 65 mm", "GN 1/2 100 mm", "GN 1/2 150 mm", "GN 1/3 65 mm", "GN 1/3 100 mm", "GN 1/3 150 mm", "GN 1/4 65 mm", "GN 1/4 100 mm", "GN 1/6 65 mm", "GN 1/6 100 mm", "GN 1/6 150 mm", "GN 2/1 65 mm", "GN 2/1 100 mm", "GN 2/3 65 mm", "GN 2/3 100 mm"], 89.0, 1_450.0, "Nerezová gastronádoba s vyztuženými hranami, odolná teplotám od -40 °C do +300 °C.", "nerez AISI 304"),
                tm("gn-perforovana", "Gastronádoba perforovaná nerezová", "Perforated gastronorm pan", &["GN 1/1 40 mm", "GN 1/1 65 mm", "GN 1/1 100 mm", "GN 1/2 65 mm", "GN 1/2 100 mm"], 290.0, 1_290.0, "Perforovaná gastronádoba na vaření v páře a okapávání.", "nerez AISI 304"),
                tm("gn-polykarbonat", "Gastronádoba polykarbonátová", "Polycarbonate gastronorm container", &["GN 1/1 65 mm", "GN 1/1 100 mm", "GN 1/1 150 mm", "GN 1/1 200 mm", "GN 1/2 65 mm", "GN 1/2 100 mm", "GN 1/2 150 mm", "GN 1/3 100 mm", "GN 1/3 150 mm", "GN 1/6 100 mm", "GN 1/6 150 mm"], 149.0, 890.0, "Průhledná gastronádoba z polykarbonátu pro skladování v chladu, od -40 °C do +100 °C.", "polykarbonát"),
                tm("gn-polypropylen", "Gastronádoba polypropylenová", "Polypropylene gastronorm container", &["GN 1/1 100 mm", "GN 1/1 150 mm", "GN 1/2 100 mm", "GN 1/4 100 mm"], 119.0, 590.0, "Lehká gastronádoba z polypropylenu pro skladování potravin.", "polypropylen"),
                tm("gn-smalt", "Gastronádoba smaltovaná", "Enamel gastronorm pan", &["GN 1/1 40 mm", "GN 1/1 65 mm", "GN 2/3 65 mm"], 390.0, 1_190.0, "Smaltovaná gastronádoba na pečení v konvektomatu.", "smaltovaná ocel"),
                tm("gn-vicko-nerez", "Víko na gastronádobu nerezové", "Stainless gastronorm lid", &["GN 1/1", "GN 1/2", "GN 1/3", "GN 1/4", "GN 1/6", "GN 2/3"], 69.0, 490.0, "Nerezové víko na gastronádobu s úchytem.", "nerez AISI 304"),
                tm("gn-vicko-pc", "Víko na gastronádobu polykarbonátové", "Polycarbonate gastronorm lid", &["GN 1/1", "GN 1/2", "GN 1/3", "GN 1/6"], 59.0, 290.0, "Průhledné víko na gastronádobu s těsněním.", "polykarbonát"),
                tm("gn-vicko-vyrez", "Víko s výřezem na naběračku", "Gastronorm lid with ladle notch", &["GN 1/1", "GN 1/2", "GN 1/3"], 149.0, 390.0, "Víko s výřezem pro naběračku do vodní lázně a bufetu.", "nerez AISI 304"),
                tm("gn-mrizka", "Mřížka do gastronádoby", "Gastronorm drain grid", &["GN 1/1", "GN 1/2", "GN 2/3"], 149.0, 490.0, "Mřížka na dno gastronádoby pro okapání masa a ryb.", "nerez"),
                tm("gn-termobox", "Termobox na gastronádoby", "Insulated gastronorm carrier", &["1× GN 1/1 150 mm", "1× GN 1/1 200 mm", "3× GN 1/1"], 1_490.0, 6_900.0, "Termoizolační box pro převoz jídel v gastronádobách, udrží teplotu několik hodin.", "polypropylen"),
                tm("gn-vozik", "Vozík na gastronádoby", "Gastronorm trolley", &["15× GN 1/1", "18× GN 1/1", "16× GN 2/1"], 4_900.0, 14_900.0, "Nerezový zásuvný vozík na gastronádoby a plechy.", "nerez"),
            ],
        )
    },
    Group {
        brands: B_FURN,
        suppliers: S_FURN,
        materials: NEREZ,
        english: 0.15,
        weight: 2,
        cz_text: &["Vyrobeno z nerezové oceli AISI 304.", "Rozměry na zakázku do 3 týdnů.", "Stavitelné nohy."],
        en_text: &["Made of AISI 304 stainless steel.", "Adjustable feet."],
        ..g(
            "Nábytek / Nerezový nábytek",
            "NER",
            &[
                t("stul-nerez", "Pracovní stůl nerezový", "Stainless work table", &["1000×600 mm", "1200×700 mm", "1600×700 mm", "2000×700 mm"], 4_900.0, 14_900.0, "Nerezový pracovní stůl se zadním lemem."),
                t("stul-nerez-police", "Pracovní stůl nerezový s policí", "Stainless work table with undershelf", &["1200×600 mm", "1600×700 mm"], 5_900.0, 16_900.0, "Nerezový pracovní stůl se spodní policí."),
                t("regal-nerez", "Regál nerezový", "Stainless shelving", &["4 police 1000 mm", "5 polic 1200 mm"], 5_900.0, 14_900.0, "Nerezový regál s plnými policemi do skladu a chladírny."),
                tm("regal-hlinik", "Regál hliníkový skladový", "Aluminium storage shelving", &["4 police 1200 mm", "5 polic 1500 mm"], 6_900.0, 18_900.0, "Hliníkový regál s plastovými roštovými policemi pro chladírny.", "hliník"),
                t("police-nastenna", "Nástěnná police nerezová", "Stainless wall shelf", &["800 mm", "1200 mm", "1600 mm"], 1_490.0, 3_900.0, "Nástěnná police nad pracovní stůl."),
                t("digestor", "Digestoř nástěnná nerezová", "Stainless wall canopy hood", &["1000 mm", "1600 mm", "2000 mm"], 9_900.0, 29_000.0, "Nástěnná digestoř s tukovými filtry."),
                t("vozik-servirovaci", "Servírovací vozík", "Service trolley", &["2 police", "3 police"], 2_490.0, 6_900.0, "Nerezový servírovací vozík s kolečky."),
                t("vozik-plechy", "Vozík na plechy", "Tray rack trolley", &["16× 600×400", "20× GN 1/1"], 5_900.0, 12_900.0, "Vozík na plechy a gastronádoby do pekárny a kuchyně."),
            ],
        )
    },
    Group {
        brands: B_FURN,
        suppliers: S_FURN,
        materials: &[],
        english: 0.15,
        weight: 2,
        cz_text: &["Zátěžové provedení pro restaurace.", "Dodání do 4 týdnů."],
        en_text: &["Contract grade for restaurants."],
        ..g(
            "Nábytek / Restaurační nábytek",
            "NAB",
            &[
                t("zidle-restauracni", "Židle restaurační dřevěná", "Wooden restaurant chair", &["buk", "dub", "ořech"], 1_490.0, 4_900.0, "Ohýbaná dřevěná židle do restaurace a kavárny."),
                t("zidle-terasova", "Židle terasová", "Terrace chair", &["hliník", "polyratan"], 990.0, 2_990.0, "Stohovatelná židle na zahrádku, odolná povětrnosti."),
                t("zidle-barova", "Barová židle", "Bar stool", &["65 cm", "75 cm"], 1_490.0, 4_900.0, "Barová židle s opěrkou nohou."),
                t("stul-restauracni", "Stůl restaurační", "Restaurant table", &["70×70 cm", "80×80 cm", "120×80 cm", "Ø 80 cm"], 2_490.0, 8_900.0, "Restaurační stůl s laminovou deskou."),
                t("podnoz-stolova", "Stolová podnož", "Table base", &["litina 72 cm", "nerez 110 cm"], 990.0, 3_900.0, "Stolová podnož pro desky do 80×80 cm."),
                t("stul-banketovy", "Banketový stůl skládací", "Folding banquet table", &["183×76 cm", "Ø 152 cm"], 2_490.0, 4_900.0, "Skládací banketový stůl pro catering a svatby."),
                t("zidlicka-detska", "Dětská jídelní židlička", "Child high chair", &["dřevo", "plast"], 990.0, 2_990.0, "Dětská jídelní židlička do restaurace."),
            ],
        )
    },
];
