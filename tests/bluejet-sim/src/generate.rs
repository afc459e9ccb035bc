//! Deterministic row generators for the six evidences.

use crate::catalog::{self, ProductType, TypeRef};
use crate::data::Cell;
use crate::guid::Guid;
use crate::rng::Rng;
use crate::time;
use crate::words;

/// Column layouts: `(name, type)`; the key is always first, `modifiedon` and `createdon` last.
pub mod columns {
    use crate::data::ColType::{self, *};

    pub const PRODUCTS: &[(&str, ColType)] = &[
        ("productid", Guid),
        ("code", Text),
        ("name", Text),
        ("nazev", Text),
        ("supplier", Text),
        ("category", Text),
        ("ean", Text),
        ("price", Number),
        ("vat", Int),
        ("unit", Text),
        ("stock", Int),
        ("brand", Text),
        ("material", Text),
        ("size", Text),
        ("description", Text),
        ("modifiedon", DateTime),
        ("createdon", DateTime),
    ];
    pub const CONTACTS: &[(&str, ColType)] = &[
        ("contactid", Guid),
        ("firstname", Text),
        ("lastname", Text),
        ("emailaddress1", Text),
        ("mobilephone", Text),
        ("telephone1", Text),
        ("customerid", Guid),
        ("firmaid", Guid),
        ("contactidsupl", Guid),
        ("modifiedon", DateTime),
        ("createdon", DateTime),
    ];
    pub const COMPANIES: &[(&str, ColType)] = &[
        ("firmaid", Guid),
        ("name", Text),
        ("ico", Text),
        ("dic", Text),
        ("emailaddress1", Text),
        ("telephone1", Text),
        ("town", Text),
        ("street1", Text),
        ("contactperson1", Text),
        ("customerid", Guid),
        ("customeridsupl", Guid),
        ("modifiedon", DateTime),
        ("createdon", DateTime),
    ];
    pub const OFFERS: &[(&str, ColType)] = &[
        ("nabidkaid", Guid),
        ("kodnabidky", Text),
        ("nazev", Text),
        ("statuscode", Text),
        ("datumvystaveni", DateTime),
        ("cenaprodej", Number),
        ("firmaid", Guid),
        ("modifiedon", DateTime),
        ("createdon", DateTime),
    ];
    pub const INVOICES: &[(&str, ColType)] = &[
        ("fakturaid", Guid),
        ("kodfaktury", Text),
        ("nazev", Text),
        ("statuscode", Text),
        ("stavuhrady", Text),
        ("datumvystaveni", DateTime),
        ("cenaprodej", Number),
        ("firmaid", Guid),
        ("modifiedon", DateTime),
        ("createdon", DateTime),
    ];
    /// Issued orders (to suppliers): `firmaid` is the supplier, `customerid` the company the
    /// order is for (the same company unless goods go to a branch), `datumpotvrzeni` the day
    /// the supplier confirmed (null until then).
    pub const ORDERS: &[(&str, ColType)] = &[
        ("objednavkaid", Guid),
        ("kodobjednavky", Text),
        ("nazev", Text),
        ("statuscode", Text),
        ("customerid", Guid),
        ("firmaid", Guid),
        ("datumpotvrzeni", DateTime),
        ("modifiedon", DateTime),
        ("createdon", DateTime),
    ];
}

/// The generated history starts here…
pub fn history_start() -> i64 {
    time::timestamp(2012, 3, 1, 8, 0, 0)
}

/// …and ends here; the simulated clock starts just after.
pub fn history_end() -> i64 {
    time::timestamp(2026, 1, 8, 10, 59, 59)
}

/// Shared context while generating: bulk-import timestamps (so many rows share one
/// `modifiedon`, as after a price-list import) and the company keys other evidences refer to.
pub struct Ctx {
    pub imports: Vec<i64>,
    /// Cumulative weights of the catalogue's product types, for picking one by weight.
    pub type_weights: Vec<u32>,
    pub companies: Vec<Guid>,
    pub minute_resolution: bool,
}

impl Ctx {
    pub fn new(rng: &mut Rng, minute_resolution: bool) -> Self {
        let mut imports: Vec<i64> = (0..24)
            .map(|_| {
                let t = rng.range(time::timestamp(2023, 1, 1, 0, 0, 0), history_end());
                // imports run at night, at whole minutes
                t - t.rem_euclid(86_400) + 3600 * rng.range(1, 4) + 60 * rng.range(0, 59)
            })
            .collect();
        imports.sort_unstable();
        let type_weights = catalog::types()
            .iter()
            .scan(0u32, |acc, t| {
                *acc += t.weight();
                Some(*acc)
            })
            .collect();
        Self { imports, type_weights, companies: Vec::new(), minute_resolution }
    }

    /// `(createdon, modifiedon)` for a row: modifications skew recent; a share of rows carry
    /// the timestamp of a bulk import.
    pub fn times(&self, rng: &mut Rng) -> (i64, i64) {
        let start = history_start();
        let end = history_end();
        let created = start + ((end - start) as f64 * rng.unit().powf(0.7)) as i64;
        let mut modified = if rng.chance(0.3) {
            let t = self.imports.get(rng.index(self.imports.len())).copied().unwrap_or(end);
            t.max(created)
        } else if rng.chance(0.15) {
            created
        } else {
            created + ((end - created) as f64 * rng.unit().powf(0.35)) as i64
        };
        modified = modified.min(end);
        if self.minute_resolution {
            (created - created.rem_euclid(60), modified - modified.rem_euclid(60))
        } else {
            (created, modified)
        }
    }
}

fn text(s: impl Into<Box<str>>) -> Cell {
    Cell::Text(s.into())
}

fn opt_text(s: &str) -> Cell {
    if s.is_empty() { Cell::Null } else { text(s) }
}

/// A valid EAN-13: a country prefix (859 is the Czech Republic) and nine digits that are a
/// bijection of the product's serial number (so no two products share an EAN), check digit.
pub fn ean13(rng: &mut Rng, serial: u64) -> String {
    const PREFIXES: &[&str] = &["859", "859", "859", "859", "400", "401", "402", "800", "590", "858", "871", "301"];
    // an odd multiplier is invertible modulo 10^9 only if coprime to 2 and 5
    let body = (serial.wrapping_mul(738_219_641) + 104_729) % 1_000_000_000;
    let mut d = [0u8; 13];
    for (slot, b) in d.iter_mut().zip(rng.pick(PREFIXES).bytes()) {
        *slot = b - b'0';
    }
    let mut rest = body;
    for slot in d[3..12].iter_mut().rev() {
        *slot = (rest % 10) as u8;
        rest /= 10;
    }
    d[12] = ean_check(&d[..12]);
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

/// The EAN-13 check digit of the first twelve digits.
pub fn ean_check(d: &[u8]) -> u8 {
    let sum: u32 = d.iter().enumerate().map(|(i, &x)| u32::from(x) * if i % 2 == 0 { 1 } else { 3 }).sum();
    ((10 - sum % 10) % 10) as u8
}

/// A price that looks like a price and grows with the size: equipment ends in 90, cheaper
/// goods in 9, food has hellers.
fn price(rng: &mut Rng, ty: &ProductType, size_idx: usize) -> f64 {
    let (lo, hi) = ty.price;
    let t = (size_idx as f64 + rng.unit()) / ty.sizes.len().max(1) as f64;
    let p = lo + (hi - lo) * t.powf(1.5);
    let p = if p >= 5_000.0 {
        (p / 100.0).round() * 100.0 - 10.0
    } else if p >= 300.0 {
        (p / 10.0).floor() * 10.0 + 9.0
    } else {
        ((p * 10.0).round() / 10.0 - 0.1).max(0.9)
    };
    (p.max(0.9) * 100.0).round() / 100.0
}

/// A size as an English name writes it: decimal point, "approx.", "pcs".
fn size_en(size: &str) -> String {
    let mut out = String::with_capacity(size.len() + 4);
    let chars: Vec<char> = size.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let digit = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(char::is_ascii_digit);
        if c == ',' && digit(i.checked_sub(1)) && digit(Some(i + 1)) {
            out.push('.');
        } else {
            out.push(c);
        }
    }
    let out = out.replace("cca ", "approx. ");
    match out.strip_suffix(" ks") {
        Some(base) => format!("{base} pcs"),
        None => out,
    }
}

/// A description of one to four sentences (empty for a few products, as in any ERP): what
/// the type is for, its size and material, a sentence of its group, a generic one.
pub fn description(rng: &mut Rng, t: TypeRef, english: bool, size: &str, brand: &str, material: &str) -> String {
    let roll = rng.unit();
    if roll < 0.05 {
        return String::new();
    }
    let n = if roll < 0.3 {
        1
    } else if roll < 0.6 {
        2
    } else if roll < 0.85 {
        3
    } else {
        4
    };
    let (g, ty) = (t.group, t.ty);
    let mut out = String::with_capacity(n * 70);
    if english {
        out.push_str(ty.en);
        if !size.is_empty() {
            out.push_str(", ");
            out.push_str(&size_en(size));
        }
        out.push('.');
    } else {
        out.push_str(ty.text);
    }
    if n >= 2 {
        if english {
            if !brand.is_empty() {
                out.push_str(" Made by ");
                out.push_str(brand);
                out.push('.');
            }
        } else {
            // "Velikost: 20 l", "Balení: 2 kg", but "Provedení: buk" for a finish or colour
            let label = if !size.bytes().any(|b| b.is_ascii_digit()) {
                " Provedení: "
            } else if g.pack {
                " Balení: "
            } else {
                " Velikost: "
            };
            out.push_str(label);
            out.push_str(size);
            out.push('.');
            if !material.is_empty() {
                out.push_str(" Materiál: ");
                out.push_str(material);
                out.push('.');
            }
        }
    }
    let own = if english { g.en_text } else { g.cz_text };
    if n >= 3 && !own.is_empty() {
        out.push(' ');
        out.push_str(rng.pick(own));
    }
    if n >= 4 {
        out.push(' ');
        out.push_str(rng.pick(if english { words::EN_GENERIC } else { words::CZ_GENERIC }));
    }
    out
}

/// Picks a product type with probability proportional to its weight.
fn pick_type(rng: &mut Rng, ctx: &Ctx) -> TypeRef {
    let total = ctx.type_weights.last().copied().unwrap_or(0);
    let pick = rng.below(u64::from(total)) as u32;
    let i = ctx.type_weights.partition_point(|&c| c <= pick);
    let types = catalog::types();
    types.get(i).or(types.first()).copied().unwrap_or(TypeRef {
        index: 0,
        group: &catalog::GROUPS[0],
        ty: &catalog::GROUPS[0].types[0],
    })
}

/// A product row (evidence 217) and the index of its type in [`catalog::types`].
pub fn product(rng: &mut Rng, ctx: &Ctx, serial: u64) -> (Vec<Cell>, u32) {
    let t = pick_type(rng, ctx);
    let (g, ty) = (t.group, t.ty);
    let brand = rng.pick(g.brands);
    let size_idx = rng.index(ty.sizes.len());
    let size = ty.sizes.get(size_idx).copied().unwrap_or("");
    let material = if ty.material.is_empty() { rng.pick(g.materials) } else { ty.material };
    let model = if g.model {
        format!("{} {}", rng.pick(words::MODELS), rng.range(1, 30) * 10 + rng.range(0, 1) * 5)
    } else {
        String::new()
    };
    let join = |parts: &[&str]| {
        let mut s = String::with_capacity(64);
        for p in parts.iter().filter(|p| !p.is_empty()) {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(p);
        }
        s
    };
    let order = rng.unit();
    let nazev = if g.model {
        join(&[ty.cz, brand, &model, size])
    } else if g.pack && order < 0.5 {
        join(&[ty.cz, size])
    } else if order < 0.75 {
        join(&[ty.cz, size, brand])
    } else {
        join(&[ty.cz, brand, size])
    };
    let english = rng.chance(g.english);
    let name = if english {
        let size = size_en(size);
        if g.model {
            if order < 0.5 { join(&[brand, ty.en, &model, &size]) } else { join(&[ty.en, &size, brand, &model]) }
        } else if order < 0.4 {
            join(&[ty.en, &size])
        } else if order < 0.8 || brand.is_empty() {
            format!("{} – {brand}", join(&[ty.en, &size])).trim_end_matches([' ', '–']).to_string()
        } else {
            join(&[brand, ty.en, &size])
        }
    } else {
        nazev.clone()
    };
    let desc_en = english && rng.chance(0.5);
    let desc = description(rng, t, desc_en, size, brand, material);
    let stock = if rng.chance(0.15) { 0 } else { rng.range(1, if g.unit == "kg" { 800 } else { 250 }) };
    let (created, modified) = ctx.times(rng);
    let cells = vec![
        Cell::Guid(Guid::random(rng)),
        text(format!("{}-{:06}", g.code, serial + 10_000)),
        text(name),
        text(nazev),
        text(rng.pick(g.suppliers)),
        text(g.category),
        text(ean13(rng, serial)),
        Cell::Num(price(rng, ty, size_idx)),
        Cell::Int(g.vat),
        text(g.unit),
        Cell::Int(stock),
        if rng.chance(0.03) { Cell::Null } else { opt_text(brand) },
        opt_text(material),
        opt_text(size),
        text(desc),
        Cell::Date(modified),
        Cell::Date(created),
    ];
    (cells, t.index)
}

/// ASCII form of Czech text for e-mail addresses.
pub fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let m = match c {
                'á' | 'Á' => 'a',
                'č' | 'Č' => 'c',
                'ď' | 'Ď' => 'd',
                'é' | 'ě' | 'É' | 'Ě' => 'e',
                'í' | 'Í' => 'i',
                'ň' | 'Ň' => 'n',
                'ó' | 'Ó' | 'ö' => 'o',
                'ř' | 'Ř' => 'r',
                'š' | 'Š' => 's',
                'ť' | 'Ť' => 't',
                'ú' | 'ů' | 'Ú' | 'Ů' | 'ü' => 'u',
                'ý' | 'Ý' => 'y',
                'ž' | 'Ž' => 'z',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => return None,
            };
            Some(m)
        })
        .collect()
}

fn phone(rng: &mut Rng, mobile: bool) -> String {
    let first = if mobile {
        rng.pick(&["601", "602", "603", "604", "605", "720", "724", "731", "737", "775", "777", "608"]).to_string()
    } else {
        format!("{}", rng.range(2, 5) * 100 + rng.range(10, 99))
    };
    format!("+420 {first} {:03} {:03}", rng.range(0, 999), rng.range(0, 999))
}

fn person(rng: &mut Rng) -> (String, String) {
    let (m, f) = words::SURNAMES.get(rng.index(words::SURNAMES.len())).copied().unwrap_or(("Novák", "Nováková"));
    if rng.chance(0.5) {
        (rng.pick(words::FIRST_M).to_string(), m.to_string())
    } else {
        (rng.pick(words::FIRST_F).to_string(), f.to_string())
    }
}

/// A valid IČO (8 digits, mod-11 check).
fn ico(rng: &mut Rng) -> String {
    loop {
        let d: Vec<u32> = (0..7).map(|_| rng.below(10) as u32).collect();
        let sum: u32 = d.iter().enumerate().map(|(i, x)| x * (8 - i as u32)).sum();
        let check = match sum % 11 {
            0 => 1,
            1 => 0,
            r => 11 - r,
        };
        if check < 10 {
            return d.iter().chain(std::iter::once(&check)).map(|x| char::from(b'0' + *x as u8)).collect();
        }
    }
}

/// A company row (evidence 225). `customerid` and `customeridsupl` carry the company's own
/// key, as clients that fall back to them when `firmaid` is missing expect.
pub fn company(rng: &mut Rng, ctx: &Ctx) -> Vec<Cell> {
    let kind = rng.pick(words::COMPANY_KINDS);
    let nm = rng.pick(words::COMPANY_NAMES);
    let town = rng.pick(words::TOWNS);
    let name =
        if rng.chance(0.3) { format!("{kind} {nm} {town}") } else { format!("{kind} {nm} {}", rng.pick(words::LEGAL)) };
    let ico = ico(rng);
    let (first, last) = person(rng);
    let domain = ascii_fold(nm);
    let (created, modified) = ctx.times(rng);
    let id = Guid::random(rng);
    vec![
        Cell::Guid(id),
        text(name),
        text(ico.clone()),
        if rng.chance(0.85) { text(format!("CZ{ico}")) } else { Cell::Null },
        text(format!("{}@{domain}.cz", rng.pick(&["info", "objednavky", "kuchyne", "provoz", "recepce"]))),
        text(phone(rng, false)),
        text(town),
        text(format!("{} {}", rng.pick(words::STREETS), rng.range(1, 180))),
        text(format!("{first} {last}")),
        Cell::Guid(id),
        Cell::Guid(id),
        Cell::Date(modified),
        Cell::Date(created),
    ]
}

fn company_ref(rng: &mut Rng, ctx: &Ctx) -> Cell {
    match ctx.companies.get(rng.index(ctx.companies.len())) {
        Some(g) => Cell::Guid(*g),
        None => Cell::Null,
    }
}

/// A contact row (evidence 222). `contactidsupl` carries the contact's own key (a fallback
/// some clients read).
pub fn contact(rng: &mut Rng, ctx: &Ctx) -> Vec<Cell> {
    let (first, last) = person(rng);
    let email = format!("{}.{}@{}", ascii_fold(&first), ascii_fold(&last), rng.pick(words::EMAIL_DOMAINS));
    let firm = company_ref(rng, ctx);
    let (created, modified) = ctx.times(rng);
    let id = Guid::random(rng);
    vec![
        Cell::Guid(id),
        text(first),
        text(last),
        if rng.chance(0.9) { text(email) } else { Cell::Null },
        text(phone(rng, true)),
        if rng.chance(0.5) { text(phone(rng, false)) } else { Cell::Null },
        firm.clone(),
        firm,
        Cell::Guid(id),
        Cell::Date(modified),
        Cell::Date(created),
    ]
}

/// An offer row (evidence 293); `n` numbers offers within a year.
pub fn offer(rng: &mut Rng, ctx: &Ctx, n: u64) -> Vec<Cell> {
    let (created, modified) = ctx.times(rng);
    let (year, _, _) = time::civil_from_days(created.div_euclid(86_400));
    let issued = created - created.rem_euclid(86_400);
    vec![
        Cell::Guid(Guid::random(rng)),
        text(format!("{}/{year}", n % 2000 + 1)),
        text(format!("{} – {}", rng.pick(words::OFFER_SUBJECTS), rng.pick(words::COMPANY_NAMES))),
        text(rng.pick(words::OFFER_STATUS)),
        Cell::Date(issued),
        Cell::Num((rng.range(800, 2_500_000) as f64 / 10.0).round() * 10.0),
        company_ref(rng, ctx),
        Cell::Date(modified),
        Cell::Date(created),
    ]
}

/// An invoice row (evidence 323).
pub fn invoice(rng: &mut Rng, ctx: &Ctx, n: u64) -> Vec<Cell> {
    let (created, modified) = ctx.times(rng);
    let (year, _, _) = time::civil_from_days(created.div_euclid(86_400));
    let issued = created - created.rem_euclid(86_400);
    vec![
        Cell::Guid(Guid::random(rng)),
        text(format!("FV{year}{:05}", n % 90_000 + 1)),
        text(rng.pick(words::INVOICE_SUBJECTS)),
        text(rng.pick(words::INVOICE_STATUS)),
        text(rng.pick(words::PAYMENT_STATUS)),
        Cell::Date(issued),
        Cell::Num(rng.range(150, 850_000) as f64 + f64::from(rng.range(0, 99) as i32) / 100.0),
        company_ref(rng, ctx),
        Cell::Date(modified),
        Cell::Date(created),
    ]
}

/// An issued order row (evidence 356); `n` numbers orders within a year. Every order names an
/// existing company as its supplier; a share goes to another company (a branch) as customer.
pub fn order(rng: &mut Rng, ctx: &Ctx, n: u64) -> Vec<Cell> {
    let (created, modified) = ctx.times(rng);
    let (year, _, _) = time::civil_from_days(created.div_euclid(86_400));
    let day = created - created.rem_euclid(86_400);
    let status = rng.pick(words::ORDER_STATUS);
    let supplier = company_ref(rng, ctx);
    let customer = if rng.chance(0.15) { company_ref(rng, ctx) } else { supplier.clone() };
    let confirmed = match status {
        "Nová" | "Odeslaná" => Cell::Null,
        _ => Cell::Date((day + 86_400 * rng.range(0, 6)).min(modified.max(day))),
    };
    vec![
        Cell::Guid(Guid::random(rng)),
        text(format!("OV{year}{:05}", n % 90_000 + 1)),
        text(format!("{} – {}", rng.pick(words::ORDER_SUBJECTS), rng.pick(words::COMPANY_NAMES))),
        text(status),
        customer,
        supplier,
        confirmed,
        Cell::Date(modified),
        Cell::Date(created),
    ]
}
