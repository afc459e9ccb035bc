//! The in-memory evidences: typed cells, sorted indexes, query execution, changes and
//! malformed-row injection.
//!
//! Every evidence is a vector of rows plus indexes (row positions sorted by a column, ties
//! broken by the key in SQL Server order, then by an insertion serial). The key and
//! `modifiedon` indexes are rebuilt eagerly after each change; indexes for other sort columns
//! are built on first use and dropped on change. A condition on the sort column is answered by
//! binary search over its index; any other condition scans in index order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::catalog::{self, TypeRef};
use crate::generate::{self, Ctx, columns};
use crate::guid::Guid;
use crate::rng::Rng;
use crate::time::{self, DateFormat};
use crate::words;
use crate::{Error, Result};

/// Evidence number of products.
pub const PRODUCTS: u32 = 217;
/// Evidence number of contacts.
pub const CONTACTS: u32 = 222;
/// Evidence number of companies.
pub const COMPANIES: u32 = 225;
/// Evidence number of issued offers.
pub const OFFERS: u32 = 293;
/// Evidence number of issued invoices.
pub const INVOICES: u32 = 323;
/// Evidence number of issued orders.
pub const ORDERS: u32 = 356;

/// Length of an over-long text injected as a malformed value.
pub const OVERLONG_LEN: usize = 70_000;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Guid,
    Text,
    Number,
    Int,
    DateTime,
}

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(Box<str>),
    Num(f64),
    Int(i64),
    Guid(Guid),
    Date(i64),
}

impl Cell {
    fn sort_key(&self) -> SortKey {
        match self {
            Cell::Null => SortKey::Null,
            Cell::Num(v) => SortKey::Num(*v),
            Cell::Int(v) => SortKey::Num(*v as f64),
            Cell::Date(v) => SortKey::Date(*v),
            Cell::Guid(g) => SortKey::Guid(g.sql_key()),
            Cell::Text(t) => SortKey::Text(t.to_lowercase()),
        }
    }

    fn text_form(&self, fmt: DateFormat) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(t) => t.to_string(),
            Cell::Num(v) => v.to_string(),
            Cell::Int(v) => v.to_string(),
            Cell::Guid(g) => g.to_string(),
            Cell::Date(v) => time::format(*v, fmt),
        }
    }

    /// The cell as JSON, dates in the given format.
    pub fn to_json(&self, fmt: DateFormat) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Text(t) => serde_json::Value::from(t.as_ref()),
            Cell::Num(v) => serde_json::Number::from_f64(*v).map_or(serde_json::Value::Null, Into::into),
            Cell::Int(v) => serde_json::Value::from(*v),
            Cell::Guid(g) => serde_json::Value::from(g.to_string()),
            Cell::Date(v) => serde_json::Value::from(time::format(*v, fmt)),
        }
    }
}

/// What SQL Server would compare: text case-insensitively (a `_CI_` collation), GUIDs in
/// `uniqueidentifier` order, NULL first.
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Null,
    Num(f64),
    Date(i64),
    Guid(u128),
    Text(String),
}

impl SortKey {
    fn rank(&self) -> u8 {
        match self {
            SortKey::Null => 0,
            SortKey::Num(_) => 1,
            SortKey::Date(_) => 2,
            SortKey::Guid(_) => 3,
            SortKey::Text(_) => 4,
        }
    }
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Num(a), SortKey::Num(b)) => a.total_cmp(b),
            (SortKey::Date(a), SortKey::Date(b)) => a.cmp(b),
            (SortKey::Guid(a), SortKey::Guid(b)) => a.cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// A value served in place of the stored one (malformed rows): ordering and conditions keep
/// using the stored value, only the response changes.
#[derive(Debug, Clone)]
pub enum Override {
    /// The column is left out of the row.
    Omit,
    /// The column carries this value instead.
    Value(serde_json::Value),
}

/// One record.
#[derive(Debug, Clone)]
pub struct Row {
    serial: u64,
    cells: Vec<Cell>,
    overrides: Vec<(usize, Override)>,
    /// The product type's index in `catalog::types()` ([`NO_TYPE`] for other evidences).
    tag: u32,
}

/// The tag of a record that is not a product.
const NO_TYPE: u32 = u32::MAX;

impl Row {
    fn key(&self) -> u128 {
        match self.cells.first() {
            Some(Cell::Guid(g)) => g.sql_key(),
            _ => 0,
        }
    }
    fn key_text(&self) -> String {
        self.cells.first().map(|c| c.text_form(DateFormat::Iso)).unwrap_or_default()
    }
}

/// Comparison operators of a `condition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    Starts,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Op {
    fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "=" => Op::Eq,
            "!=" => Op::Ne,
            "contains" => Op::Contains,
            "starts" => Op::Starts,
            "<" => Op::Lt,
            ">" => Op::Gt,
            "<=" => Op::Le,
            ">=" => Op::Ge,
            _ => return None,
        })
    }
}

/// A parsed `field|op|value` condition.
#[derive(Debug, Clone)]
pub struct Condition {
    col: usize,
    op: Op,
    key: SortKey,
    needle: String,
}

/// A parsed data query.
#[derive(Debug, Clone)]
pub struct Query {
    pub condition: Option<Condition>,
    /// Sort column and whether descending.
    pub sort: Option<(usize, bool)>,
    pub offset: usize,
    pub limit: usize,
    pub fields: Option<Vec<usize>>,
}

/// Record counts per evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizes {
    pub products: usize,
    pub contacts: usize,
    pub companies: usize,
    pub offers: usize,
    pub invoices: usize,
    /// Issued orders. Absent from older size files: the live default then.
    #[serde(default = "live_orders")]
    pub orders: usize,
}

fn live_orders() -> usize {
    Sizes::LIVE.orders
}

impl Sizes {
    /// The live tenant's counts (January 2026). The count of issued orders was not recorded;
    /// 7,500 puts them beside the tenant's offers and invoices.
    pub const LIVE: Sizes =
        Sizes { products: 109_253, contacts: 4_751, companies: 3_770, offers: 11_481, invoices: 9_111, orders: 7_500 };
    /// Small counts for fast tests.
    pub const SMALL: Sizes =
        Sizes { products: 2_000, contacts: 300, companies: 200, offers: 400, invoices: 300, orders: 250 };
    /// No records at all; set the evidences a test needs.
    pub const EMPTY: Sizes = Sizes { products: 0, contacts: 0, companies: 0, offers: 0, invoices: 0, orders: 0 };
}

impl Default for Sizes {
    fn default() -> Self {
        Self::LIVE
    }
}

/// One evidence: its rows and indexes.
#[derive(Debug)]
pub struct Evidence {
    pub no: u32,
    pub label: &'static str,
    columns: &'static [(&'static str, ColType)],
    modified_col: usize,
    rows: Vec<Row>,
    by_key: Arc<Vec<u32>>,
    by_modified: Arc<Vec<u32>>,
    lazy: Mutex<HashMap<usize, Arc<Vec<u32>>>>,
    /// Lower-cased text forms per column (for `contains`/`starts` scans), built on first use.
    lower: Mutex<HashMap<usize, Arc<Vec<Box<str>>>>>,
    next_serial: u64,
    /// Counter used to number new offers/invoices and product codes.
    next_number: u64,
}

impl Evidence {
    fn new(
        no: u32,
        label: &'static str,
        columns: &'static [(&'static str, ColType)],
        rows: Vec<(Vec<Cell>, u32)>,
    ) -> Self {
        let modified_col = columns.iter().position(|(n, _)| *n == "modifiedon").unwrap_or(0);
        let n = rows.len() as u64;
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, (cells, tag))| Row { serial: i as u64, cells, overrides: Vec::new(), tag })
            .collect();
        let mut e = Self {
            no,
            label,
            columns,
            modified_col,
            rows,
            by_key: Arc::default(),
            by_modified: Arc::default(),
            lazy: Mutex::default(),
            lower: Mutex::default(),
            next_serial: n,
            next_number: n,
        };
        e.reindex();
        e
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the evidence has no records.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Column names, key first.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|(n, _)| *n).collect()
    }

    /// The key column's name.
    pub fn key_column(&self) -> &'static str {
        self.columns.first().map_or("", |(n, _)| *n)
    }

    /// The position of a column (case-insensitive name).
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.columns.iter().position(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn build_index(&self, col: usize) -> Vec<u32> {
        let mut keyed: Vec<(SortKey, u128, u64, u32)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let k = r.cells.get(col).map_or(SortKey::Null, Cell::sort_key);
                (k, r.key(), r.serial, i as u32)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        keyed.into_iter().map(|t| t.3).collect()
    }

    fn reindex(&mut self) {
        let mut by_key: Vec<u32> = (0..self.rows.len() as u32).collect();
        by_key.sort_unstable_by_key(|&i| {
            let r = &self.rows[i as usize];
            (r.key(), r.serial)
        });
        self.by_key = Arc::new(by_key);
        self.by_modified = Arc::new(self.build_index(self.modified_col));
        if let Ok(mut lazy) = self.lazy.lock() {
            lazy.clear();
        }
        if let Ok(mut lower) = self.lower.lock() {
            lower.clear();
        }
    }

    fn lower_column(&self, col: usize, fmt: DateFormat) -> Arc<Vec<Box<str>>> {
        let mut lower = self.lower.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        lower
            .entry(col)
            .or_insert_with(|| {
                Arc::new(
                    self.rows
                        .iter()
                        .map(|r| match r.cells.get(col) {
                            None | Some(Cell::Null) => Box::from(""),
                            Some(c) => c.text_form(fmt).to_lowercase().into_boxed_str(),
                        })
                        .collect(),
                )
            })
            .clone()
    }

    fn index(&self, col: usize) -> Arc<Vec<u32>> {
        if col == 0 {
            return self.by_key.clone();
        }
        if col == self.modified_col {
            return self.by_modified.clone();
        }
        let mut lazy = self.lazy.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        lazy.entry(col).or_insert_with(|| Arc::new(self.build_index(col))).clone()
    }

    /// Parses `field|op|value` against this evidence's columns.
    pub fn parse_condition(&self, text: &str) -> Result<Condition> {
        let mut parts = text.splitn(3, '|');
        let (Some(field), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::BadRequest(format!("Neplatná podmínka '{text}': očekáváno pole|operátor|hodnota.")));
        };
        let col = self
            .column(field)
            .ok_or_else(|| Error::BadRequest(format!("Neznámý sloupec '{}' v podmínce.", field.trim())))?;
        let op = Op::parse(op).ok_or_else(|| Error::BadRequest(format!("Neznámý operátor '{op}' v podmínce.")))?;
        let ty = self.columns[col].1;
        let bad =
            || Error::BadRequest(format!("Hodnotu '{value}' nelze porovnat se sloupcem '{}'.", self.columns[col].0));
        let key = if matches!(op, Op::Contains | Op::Starts) {
            SortKey::Null
        } else {
            match ty {
                ColType::Guid => SortKey::Guid(Guid::parse(value).ok_or_else(bad)?.sql_key()),
                ColType::Number | ColType::Int => {
                    SortKey::Num(value.trim().replace(',', ".").parse::<f64>().map_err(|_| bad())?)
                }
                ColType::DateTime => SortKey::Date(time::parse(value).ok_or_else(bad)?),
                ColType::Text => SortKey::Text(value.to_lowercase()),
            }
        };
        Ok(Condition { col, op, key, needle: value.to_lowercase() })
    }

    fn matches(&self, row: &Row, c: &Condition, fmt: DateFormat) -> bool {
        let Some(cell) = row.cells.get(c.col) else { return false };
        if *cell == Cell::Null {
            return false; // SQL: NULL never satisfies a comparison
        }
        match c.op {
            Op::Contains => cell.text_form(fmt).to_lowercase().contains(&c.needle),
            Op::Starts => cell.text_form(fmt).to_lowercase().starts_with(&c.needle),
            op => {
                let ord = cell.sort_key().cmp(&c.key);
                match op {
                    Op::Eq => ord == Ordering::Equal,
                    Op::Ne => ord != Ordering::Equal,
                    Op::Lt => ord == Ordering::Less,
                    Op::Gt => ord == Ordering::Greater,
                    Op::Le => ord != Ordering::Greater,
                    _ => ord != Ordering::Less,
                }
            }
        }
    }

    /// Runs a query: the number of matching records and the row positions of the page.
    pub fn run(&self, q: &Query, fmt: DateFormat) -> (usize, Vec<u32>) {
        let (col, desc) = q.sort.unwrap_or((0, false));
        let index = self.index(col);
        let n = index.len();
        let ranges: Vec<(usize, usize)> = match &q.condition {
            None => vec![(0, n)],
            Some(c) if c.col == col && !matches!(c.op, Op::Contains | Op::Starts) => {
                let key_at = |i: usize| {
                    self.rows
                        .get(index[i] as usize)
                        .and_then(|r| r.cells.get(col))
                        .map_or(SortKey::Null, Cell::sort_key)
                };
                let pp = |pred: &dyn Fn(&SortKey) -> bool| {
                    let (mut lo, mut hi) = (0usize, n);
                    while lo < hi {
                        let mid = (lo + hi) / 2;
                        if pred(&key_at(mid)) { lo = mid + 1 } else { hi = mid }
                    }
                    lo
                };
                let nonnull = pp(&|k| *k == SortKey::Null);
                let ge = pp(&|k| k.cmp(&c.key) == Ordering::Less);
                let gt = pp(&|k| k.cmp(&c.key) != Ordering::Greater);
                match c.op {
                    Op::Eq => vec![(ge, gt)],
                    Op::Lt => vec![(nonnull, ge)],
                    Op::Le => vec![(nonnull, gt)],
                    Op::Gt => vec![(gt, n)],
                    Op::Ge => vec![(ge, n)],
                    _ => vec![(nonnull, ge), (gt, n)],
                }
            }
            Some(c) => {
                // scan in index order
                let lower = matches!(c.op, Op::Contains | Op::Starts).then(|| self.lower_column(c.col, fmt));
                let hit = |i: u32, row: &Row| match &lower {
                    Some(l) => {
                        let is_null = matches!(row.cells.get(c.col), None | Some(Cell::Null));
                        let text = l.get(i as usize).map_or("", |t| &**t);
                        !is_null
                            && if c.op == Op::Contains {
                                text.contains(c.needle.as_str())
                            } else {
                                text.starts_with(c.needle.as_str())
                            }
                    }
                    None => self.matches(row, c, fmt),
                };
                let mut total = 0usize;
                let mut page = Vec::with_capacity(q.limit.min(1024));
                let mut visit = |i: u32| {
                    if let Some(row) = self.rows.get(i as usize)
                        && hit(i, row)
                    {
                        if total >= q.offset && page.len() < q.limit {
                            page.push(i);
                        }
                        total += 1;
                    }
                };
                if desc {
                    index.iter().rev().for_each(|&i| visit(i));
                } else {
                    index.iter().for_each(|&i| visit(i));
                }
                return (total, page);
            }
        };
        let total: usize = ranges.iter().map(|(a, b)| b.saturating_sub(*a)).sum();
        let mut page = Vec::with_capacity(q.limit.min(total.saturating_sub(q.offset)));
        let mut skip = q.offset;
        let ordered: Vec<(usize, usize)> = if desc { ranges.iter().rev().copied().collect() } else { ranges };
        for (a, b) in ordered {
            if page.len() >= q.limit {
                break;
            }
            let len = b.saturating_sub(a);
            if skip >= len {
                skip -= len;
                continue;
            }
            let want = q.limit - page.len();
            if desc {
                // from b - skip downwards
                let hi = b - skip;
                let lo = hi.saturating_sub(want).max(a);
                page.extend(index[lo..hi].iter().rev());
            } else {
                let lo = a + skip;
                let hi = (lo + want).min(b);
                page.extend(&index[lo..hi]);
            }
            skip = 0;
        }
        (total, page)
    }

    /// Writes the response body for a page.
    pub fn write_page(
        &self,
        out: &mut Vec<u8>,
        page: &[u32],
        offset: usize,
        fields: Option<&[usize]>,
        records_count: usize,
        fmt: DateFormat,
    ) {
        let all: Vec<usize> = (0..self.columns.len()).collect();
        let cols = fields.unwrap_or(&all);
        let _ = write!(out, "{{\"no\":{},\"recordsCount\":{records_count},\"rows\":[", self.no);
        for (n, &i) in page.iter().enumerate() {
            let Some(row) = self.rows.get(i as usize) else { continue };
            if n > 0 {
                out.push(b',');
            }
            let _ = write!(out, "{{\"offset\":{},\"columns\":[", offset + n);
            let mut first = true;
            for &c in cols {
                let over = row.overrides.iter().find(|(oc, _)| *oc == c).map(|(_, o)| o);
                if matches!(over, Some(Override::Omit)) {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                let name = self.columns.get(c).map_or("", |(n, _)| *n);
                let _ = write!(out, "{{\"name\":\"{name}\",\"value\":");
                match over {
                    Some(Override::Value(v)) => {
                        let _ = serde_json::to_writer(&mut *out, v);
                    }
                    _ => write_cell(out, row.cells.get(c).unwrap_or(&Cell::Null), fmt),
                }
                out.push(b'}');
            }
            out.extend_from_slice(b"]}");
        }
        out.extend_from_slice(b"]}");
    }

    /// A record as a JSON object (stored values, no malformed overrides).
    pub fn record_json(&self, pos: usize, fmt: DateFormat) -> Option<serde_json::Map<String, serde_json::Value>> {
        let row = self.rows.get(pos)?;
        Some(self.columns.iter().zip(&row.cells).map(|((n, _), c)| ((*n).to_string(), c.to_json(fmt))).collect())
    }

    /// Keys in SQL Server order.
    pub fn keys(&self) -> Vec<String> {
        self.by_key.iter().filter_map(|&i| self.rows.get(i as usize)).map(Row::key_text).collect()
    }

    /// The position of the record with this key.
    pub fn position(&self, key: &str) -> Option<usize> {
        let g = Guid::parse(key)?;
        self.rows.iter().position(|r| r.cells.first() == Some(&Cell::Guid(g)))
    }

    fn generate_row(&mut self, rng: &mut Rng, ctx: &Ctx) -> (Vec<Cell>, u32) {
        let n = self.next_number;
        self.next_number += 1;
        match self.no {
            PRODUCTS => generate::product(rng, ctx, n),
            CONTACTS => (generate::contact(rng, ctx), NO_TYPE),
            COMPANIES => (generate::company(rng, ctx), NO_TYPE),
            OFFERS => (generate::offer(rng, ctx, n), NO_TYPE),
            ORDERS => (generate::order(rng, ctx, n), NO_TYPE),
            _ => (generate::invoice(rng, ctx, n), NO_TYPE),
        }
    }

    /// Changes a record: volatile fields (price, stock, status, phone) or its text.
    fn mutate(&mut self, pos: usize, rng: &mut Rng, text: bool) {
        let no = self.no;
        let Some(row) = self.rows.get_mut(pos) else { return };
        let tag = row.tag;
        let c = &mut row.cells;
        let set = |c: &mut Vec<Cell>, i: usize, v: Cell| {
            if let Some(slot) = c.get_mut(i) {
                *slot = v;
            }
        };
        let scale = |cell: Option<&Cell>, rng: &mut Rng| match cell {
            Some(Cell::Num(p)) => Cell::Num((p * (0.9 + 0.25 * rng.unit()) * 100.0).round() / 100.0),
            _ => Cell::Num(rng.range(100, 10_000) as f64),
        };
        match (no, text) {
            (PRODUCTS, false) => {
                let p = scale(c.get(7), rng);
                set(c, 7, p);
                set(c, 10, Cell::Int(rng.range(0, 300)));
            }
            (PRODUCTS, true) => {
                let text_of =
                    |c: &Vec<Cell>, i: usize| c.get(i).map(|x| x.text_form(DateFormat::Iso)).unwrap_or_default();
                let old_desc = text_of(c, 14);
                let mut rename = rng.chance(0.5);
                if let Some(t) = catalog::type_at(tag) {
                    let (size, brand, material) = (text_of(c, 13), text_of(c, 11), text_of(c, 12));
                    let english = rng.chance(0.2);
                    let desc = generate::description(rng, t, english, &size, &brand, &material);
                    rename |= desc == old_desc;
                    set(c, 14, Cell::Text(desc.into()));
                } else {
                    rename = true;
                }
                if rename {
                    // a mark the name does not carry yet, so the name really changes
                    let name = text_of(c, 2);
                    let start = rng.index(words::NAME_MARKS.len());
                    let mark = (0..words::NAME_MARKS.len())
                        .filter_map(|i| words::NAME_MARKS.get((start + i) % words::NAME_MARKS.len()))
                        .find(|m| !name.ends_with(**m))
                        .copied()
                        .unwrap_or("");
                    for i in [2, 3] {
                        let base = text_of(c, i);
                        let base = words::NAME_MARKS.iter().fold(base, |b, m| b.trim_end_matches(m).to_string());
                        set(c, i, Cell::Text(format!("{base}{mark}").into()));
                    }
                }
            }
            (CONTACTS, false) => {
                set(
                    c,
                    4,
                    Cell::Text(
                        format!("+420 7{:02} {:03} {:03}", rng.range(20, 99), rng.range(0, 999), rng.range(0, 999))
                            .into(),
                    ),
                );
            }
            (CONTACTS, true) => {
                let female = c.get(2).is_some_and(|x| x.text_form(DateFormat::Iso).ends_with('á'));
                let (m, f) =
                    words::SURNAMES.get(rng.index(words::SURNAMES.len())).copied().unwrap_or(("Novák", "Nováková"));
                set(c, 2, Cell::Text(if female { f } else { m }.into()));
            }
            (COMPANIES, false) => {
                set(
                    c,
                    5,
                    Cell::Text(
                        format!("+420 {:03} {:03} {:03}", rng.range(200, 599), rng.range(0, 999), rng.range(0, 999))
                            .into(),
                    ),
                );
            }
            (COMPANIES, true) => {
                let name = format!(
                    "{} {} {}",
                    rng.pick(words::COMPANY_KINDS),
                    rng.pick(words::COMPANY_NAMES),
                    rng.pick(words::LEGAL)
                );
                set(c, 1, Cell::Text(name.into()));
            }
            (OFFERS, false) => {
                let p = scale(c.get(5), rng);
                set(c, 5, p);
                set(c, 3, Cell::Text(rng.pick(words::OFFER_STATUS).into()));
            }
            (INVOICES, false) => {
                set(c, 4, Cell::Text(rng.pick(words::PAYMENT_STATUS).into()));
            }
            (OFFERS, true) => {
                let s = format!("{} – {}", rng.pick(words::OFFER_SUBJECTS), rng.pick(words::COMPANY_NAMES));
                set(c, 2, Cell::Text(s.into()));
            }
            (ORDERS, false) => {
                set(c, 3, Cell::Text(rng.pick(words::ORDER_STATUS).into()));
            }
            (ORDERS, true) => {
                let s = format!("{} – {}", rng.pick(words::ORDER_SUBJECTS), rng.pick(words::COMPANY_NAMES));
                set(c, 2, Cell::Text(s.into()));
            }
            (_, _) => {
                set(c, 2, Cell::Text(rng.pick(words::INVOICE_SUBJECTS).into()));
            }
        }
    }
}

fn write_cell(out: &mut Vec<u8>, cell: &Cell, fmt: DateFormat) {
    match cell {
        Cell::Null => out.extend_from_slice(b"null"),
        Cell::Text(t) => {
            let _ = serde_json::to_writer(&mut *out, t.as_ref());
        }
        Cell::Num(v) if v.is_finite() => {
            let _ = serde_json::to_writer(&mut *out, v);
        }
        Cell::Num(_) => out.extend_from_slice(b"null"),
        Cell::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Guid(g) => {
            let _ = write!(out, "\"{g}\"");
        }
        Cell::Date(v) => {
            let _ = write!(out, "\"{}\"", time::format(*v, fmt));
        }
    }
}

/// A change to apply to one evidence (`POST /admin/change`). Counts and shares add up;
/// `price_only_share` of the modified records change only volatile fields (price, stock,
/// status, phone), the rest change text (name, description, subject).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChangeRequest {
    pub no: u32,
    pub modify: Option<usize>,
    pub modify_share: Option<f64>,
    pub price_only_share: Option<f64>,
    pub insert: Option<usize>,
    pub insert_share: Option<f64>,
    pub delete: Option<usize>,
    pub delete_share: Option<f64>,
}

impl ChangeRequest {
    /// A request against evidence `no`.
    pub fn new(no: u32) -> Self {
        Self { no, ..Self::default() }
    }
    /// Modify `n` records.
    pub fn modify(mut self, n: usize) -> Self {
        self.modify = Some(n);
        self
    }
    /// Modify a share (0..=1) of the records.
    pub fn modify_share(mut self, share: f64) -> Self {
        self.modify_share = Some(share);
        self
    }
    /// The share of modifications that only touch volatile fields (default 0.5).
    pub fn price_only_share(mut self, share: f64) -> Self {
        self.price_only_share = Some(share);
        self
    }
    /// Insert `n` new records.
    pub fn insert(mut self, n: usize) -> Self {
        self.insert = Some(n);
        self
    }
    /// Delete `n` records.
    pub fn delete(mut self, n: usize) -> Self {
        self.delete = Some(n);
        self
    }
    /// Delete a share (0..=1) of the records.
    pub fn delete_share(mut self, share: f64) -> Self {
        self.delete_share = Some(share);
        self
    }
}

/// What a change did: keys per kind, and the `modifiedon` the changed records now carry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeResult {
    pub no: u32,
    /// The simulated time of the change (the new `modifiedon`), in the served date format.
    pub at: String,
    /// All modified keys (`price_only` + `text_changed`).
    pub modified: Vec<String>,
    pub price_only: Vec<String>,
    pub text_changed: Vec<String>,
    pub inserted: Vec<String>,
    pub deleted: Vec<String>,
}

/// Classes of malformed rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MalformedKind {
    /// The key column is left out of the row.
    MissingKey,
    /// The key is `null`.
    NullKey,
    /// The key repeats another record's key (that record sits elsewhere in key order, usually
    /// on another page).
    DuplicateKey,
    /// A value of the wrong type: a number column carries `"abc"`, a text column a number.
    WrongType,
    /// The main text column is `""`.
    EmptyText,
    /// The main text column is 70,000 characters long.
    OverlongText,
    /// The main text column contains control characters (NUL, BEL, ESC, CR, LF).
    ControlChars,
    /// `modifiedon` is not a date (`2026-02-30T25:61:00`).
    InvalidDate,
    /// The key is not a GUID.
    NonGuidKey,
}

impl MalformedKind {
    /// All classes.
    pub const ALL: [MalformedKind; 9] = [
        MalformedKind::MissingKey,
        MalformedKind::NullKey,
        MalformedKind::DuplicateKey,
        MalformedKind::WrongType,
        MalformedKind::EmptyText,
        MalformedKind::OverlongText,
        MalformedKind::ControlChars,
        MalformedKind::InvalidDate,
        MalformedKind::NonGuidKey,
    ];

    /// Parses the kebab-case name.
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::from(s.trim())).ok()
    }
}

/// A request to make `count` records of evidence `no` malformed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MalformedSpec {
    #[serde(default = "default_no")]
    pub no: u32,
    pub kind: MalformedKind,
    pub count: usize,
}

fn default_no() -> u32 {
    PRODUCTS
}

/// A record that is served malformed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MalformedRow {
    pub no: u32,
    pub kind: MalformedKind,
    /// The record's real key (what conditions and ordering use).
    pub key: String,
    /// The column that is malformed.
    pub column: String,
    /// The value served instead (`null` also for an omitted column).
    pub served: serde_json::Value,
}

/// A generated product and its type, as relevance judgments see it.
#[derive(Debug, Clone)]
pub struct ProductInfo {
    /// `productid`, as served.
    pub key: String,
    pub code: String,
    pub ean: String,
    pub name: String,
    pub nazev: String,
    /// Whether `name` is the English (import) name rather than the Czech one.
    pub english: bool,
    pub brand: String,
    pub material: String,
    /// The size variant, one of the type's `sizes` ("GN 1/1 65 mm", "20 l", "2,5 kg").
    pub size: String,
    pub ty: TypeRef,
}

impl ProductInfo {
    /// The product type's id ("kure-prsa").
    pub fn type_id(&self) -> &'static str {
        self.ty.ty.id
    }
}

/// Options that shape generation.
#[derive(Debug, Clone, Copy)]
pub struct GenOptions {
    pub seed: u64,
    pub sizes: Sizes,
    pub date_format: DateFormat,
}

/// Generates the row with a serial number: its cells and its product type tag.
type RowGen<'a> = dyn FnMut(&mut Rng, u64) -> (Vec<Cell>, u32) + 'a;

/// All evidences, the simulated clock and the change history.
#[derive(Debug)]
pub struct Store {
    evidences: Vec<Evidence>,
    ctx: CtxHolder,
    clock: i64,
    tick: i64,
    rng: Rng,
    malformed_rng: Rng,
    pub date_format: DateFormat,
    pub history: Vec<ChangeResult>,
    pub malformed: Vec<MalformedRow>,
}

struct CtxHolder(Ctx);
impl std::fmt::Debug for CtxHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ctx")
    }
}

impl Store {
    /// Generates every evidence from the seed: the same options give the same data.
    pub fn generate(opts: GenOptions) -> Self {
        let minute = opts.date_format == DateFormat::Czech;
        let mut ctx = Ctx::new(&mut Rng::derive(opts.seed, "imports"), minute);
        let gen_rows = |label: &str, n: usize, f: &mut RowGen<'_>| {
            let mut rng = Rng::derive(opts.seed, label);
            (0..n as u64).map(|i| f(&mut rng, i)).collect::<Vec<_>>()
        };
        let companies = gen_rows("companies", opts.sizes.companies, &mut |r, _| (generate::company(r, &ctx), NO_TYPE));
        ctx.companies = companies
            .iter()
            .filter_map(|(c, _)| match c.first() {
                Some(Cell::Guid(g)) => Some(*g),
                _ => None,
            })
            .collect();
        let contacts = gen_rows("contacts", opts.sizes.contacts, &mut |r, _| (generate::contact(r, &ctx), NO_TYPE));
        let offers = gen_rows("offers", opts.sizes.offers, &mut |r, i| (generate::offer(r, &ctx, i), NO_TYPE));
        let invoices = gen_rows("invoices", opts.sizes.invoices, &mut |r, i| (generate::invoice(r, &ctx, i), NO_TYPE));
        let products = gen_rows("products", opts.sizes.products, &mut |r, i| generate::product(r, &ctx, i));
        let orders = gen_rows("orders", opts.sizes.orders, &mut |r, i| (generate::order(r, &ctx, i), NO_TYPE));
        let evidences = vec![
            Evidence::new(PRODUCTS, "Produkty", columns::PRODUCTS, products),
            Evidence::new(CONTACTS, "Kontakty", columns::CONTACTS, contacts),
            Evidence::new(COMPANIES, "Firmy", columns::COMPANIES, companies),
            Evidence::new(OFFERS, "Nabídky", columns::OFFERS, offers),
            Evidence::new(INVOICES, "Faktury vydané", columns::INVOICES, invoices),
            Evidence::new(ORDERS, "Objednávky vydané", columns::ORDERS, orders),
        ];
        let tick = if minute { 60 } else { 1 };
        let start = generate::history_end() + 3600;
        Self {
            evidences,
            ctx: CtxHolder(ctx),
            clock: start - start.rem_euclid(60),
            tick,
            rng: Rng::derive(opts.seed, "changes"),
            malformed_rng: Rng::derive(opts.seed, "malformed"),
            date_format: opts.date_format,
            history: Vec::new(),
            malformed: Vec::new(),
        }
    }

    /// Every product with its type, in key order (SQL Server order), from the stored values
    /// (a malformed row keeps its real key and type). Relevance judgments are made over these.
    pub fn products(&self) -> Vec<ProductInfo> {
        let Some(e) = self.evidence(PRODUCTS) else { return Vec::new() };
        let text = |r: &Row, i: usize| r.cells.get(i).map(|c| c.text_form(DateFormat::Iso)).unwrap_or_default();
        e.by_key
            .iter()
            .filter_map(|&pos| e.rows.get(pos as usize))
            .filter_map(|r| {
                let ty = catalog::type_at(r.tag)?;
                let (name, nazev) = (text(r, 2), text(r, 3));
                Some(ProductInfo {
                    key: r.key_text(),
                    code: text(r, 1),
                    ean: text(r, 6),
                    english: name != nazev,
                    name,
                    nazev,
                    brand: text(r, 11),
                    material: text(r, 12),
                    size: text(r, 13),
                    ty,
                })
            })
            .collect()
    }

    /// The evidence `no`.
    pub fn evidence(&self, no: u32) -> Option<&Evidence> {
        self.evidences.iter().find(|e| e.no == no)
    }

    fn evidence_mut(&mut self, no: u32) -> Result<&mut Evidence> {
        self.evidences.iter_mut().find(|e| e.no == no).ok_or(Error::UnknownEvidence(no))
    }

    /// All evidences.
    pub fn evidences(&self) -> &[Evidence] {
        &self.evidences
    }

    /// Record counts per evidence.
    pub fn counts(&self) -> BTreeMap<u32, usize> {
        self.evidences.iter().map(|e| (e.no, e.len())).collect()
    }

    /// The simulated clock, as served.
    pub fn now(&self) -> String {
        time::format(self.clock, self.date_format)
    }

    /// Applies a change: deletes, modifies (advancing `modifiedon` to the next tick of the
    /// simulated clock; all records of one change share it), inserts.
    pub fn change(&mut self, req: &ChangeRequest) -> Result<ChangeResult> {
        self.clock += self.tick;
        let now = self.clock;
        let mut rng = self.rng.clone();
        let ctx = &self.ctx.0;
        let fmt = self.date_format;
        let e = self.evidences.iter_mut().find(|e| e.no == req.no).ok_or(Error::UnknownEvidence(req.no))?;
        let n = e.len();
        let share = |s: Option<f64>| s.map_or(0, |s| (s.clamp(0.0, 1.0) * n as f64).round() as usize);
        let delete = (req.delete.unwrap_or(0) + share(req.delete_share)).min(n);
        let modify = (req.modify.unwrap_or(0) + share(req.modify_share)).min(n - delete);
        let insert = req.insert.unwrap_or(0) + share(req.insert_share);
        let price_share = req.price_only_share.unwrap_or(0.5).clamp(0.0, 1.0);
        // partial Fisher-Yates: distinct victims for delete and modify
        let mut order: Vec<usize> = (0..n).collect();
        for i in 0..(delete + modify) {
            let j = i + rng.index(n - i);
            order.swap(i, j);
        }
        let mut result = ChangeResult { no: req.no, at: time::format(now, fmt), ..ChangeResult::default() };
        for &pos in &order[delete..delete + modify] {
            let text = !rng.chance(price_share);
            e.mutate(pos, &mut rng, text);
            if let Some(row) = e.rows.get_mut(pos) {
                let mc = e.modified_col;
                if let Some(c) = row.cells.get_mut(mc) {
                    *c = Cell::Date(now);
                }
                let key = row.key_text();
                if text {
                    result.text_changed.push(key.clone())
                } else {
                    result.price_only.push(key.clone())
                }
                result.modified.push(key);
            }
        }
        let mut dead: Vec<usize> = order[..delete].to_vec();
        dead.sort_unstable_by(|a, b| b.cmp(a));
        for pos in dead {
            let row = e.rows.swap_remove(pos);
            result.deleted.push(row.key_text());
        }
        for _ in 0..insert {
            let (mut cells, tag) = e.generate_row(&mut rng, ctx);
            let mc = e.modified_col;
            for c in [mc, mc + 1] {
                if let Some(slot) = cells.get_mut(c) {
                    *slot = Cell::Date(now);
                }
            }
            let row = Row { serial: e.next_serial, cells, overrides: Vec::new(), tag };
            e.next_serial += 1;
            result.inserted.push(row.key_text());
            e.rows.push(row);
        }
        e.reindex();
        self.rng = rng;
        self.malformed.retain(|m| !(m.no == req.no && result.deleted.contains(&m.key)));
        self.history.push(result.clone());
        Ok(result)
    }

    /// Makes `count` records malformed in the way `kind` says; deterministic for a seed and
    /// the same sequence of calls. Records already malformed are not picked again.
    pub fn inject_malformed(&mut self, spec: MalformedSpec) -> Result<Vec<MalformedRow>> {
        let mut rng = self.malformed_rng.clone();
        let fmt = self.date_format;
        let e = self.evidence_mut(spec.no)?;
        let candidates: Vec<u32> = e
            .by_key
            .iter()
            .copied()
            .filter(|&i| e.rows.get(i as usize).is_some_and(|r| r.overrides.is_empty()))
            .collect();
        let count = spec.count.min(candidates.len());
        let mut chosen = candidates;
        for i in 0..count {
            let j = i + rng.index(chosen.len() - i);
            chosen.swap(i, j);
        }
        let text_col = match spec.no {
            COMPANIES => 1,
            _ => 2,
        };
        let (typed_col, typed_value) = match spec.no {
            PRODUCTS => (7, serde_json::Value::from("abc")),
            OFFERS => (5, serde_json::Value::from("abc")),
            INVOICES => (6, serde_json::Value::from("abc")),
            CONTACTS => (1, serde_json::Value::from(42)),
            _ => (2, serde_json::Value::from(12_345_678)),
        };
        let mut out = Vec::with_capacity(count);
        for &pos in &chosen[..count] {
            let pos = pos as usize;
            let (col, over) = match spec.kind {
                MalformedKind::MissingKey => (0, Override::Omit),
                MalformedKind::NullKey => (0, Override::Value(serde_json::Value::Null)),
                MalformedKind::DuplicateKey => {
                    let mut other = rng.index(e.rows.len());
                    if other == pos {
                        other = (other + 1) % e.rows.len().max(1);
                    }
                    let k = e.rows.get(other).map(Row::key_text).unwrap_or_default();
                    (0, Override::Value(k.into()))
                }
                MalformedKind::NonGuidKey => (0, Override::Value(format!("KEY-{:06}", rng.below(1_000_000)).into())),
                MalformedKind::WrongType => (typed_col, Override::Value(typed_value.clone())),
                MalformedKind::EmptyText => (text_col, Override::Value("".into())),
                MalformedKind::OverlongText => {
                    let unit = "Nerezový hrnec 20 l – dlouhý popis ";
                    let s: String = unit.chars().cycle().take(OVERLONG_LEN).collect();
                    (text_col, Override::Value(s.into()))
                }
                MalformedKind::ControlChars => {
                    let base = e
                        .rows
                        .get(pos)
                        .and_then(|r| r.cells.get(text_col))
                        .map(|c| c.text_form(fmt))
                        .unwrap_or_default();
                    (text_col, Override::Value(format!("{base}\u{0}\u{7}\u{1b}[31m\r\nřádek").into()))
                }
                MalformedKind::InvalidDate => {
                    let v = if fmt == DateFormat::Czech { "31.2.2026 25:61" } else { "2026-02-30T25:61:00" };
                    (e.modified_col, Override::Value(v.into()))
                }
            };
            let Some(row) = e.rows.get_mut(pos) else { continue };
            let served = match &over {
                Override::Omit => serde_json::Value::Null,
                Override::Value(v) => v.clone(),
            };
            row.overrides.push((col, over));
            out.push(MalformedRow {
                no: spec.no,
                kind: spec.kind,
                key: row.key_text(),
                column: e.columns.get(col).map_or("", |(n, _)| *n).to_string(),
                served,
            });
        }
        self.malformed_rng = rng;
        self.malformed.extend(out.iter().cloned());
        Ok(out)
    }
}
