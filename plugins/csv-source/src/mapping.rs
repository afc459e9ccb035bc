//! How rows become records: the key from the key column, the fields as a JSON object with
//! typed values, the cursor normalised to RFC 3339.
//!
//! A row that cannot become a proper record is still returned, with an empty key, so that the
//! host logs it as invalid and goes on: its fields then say what is wrong and where
//! (`_error`, `_file`, `_line`). A value that does not fit its declared type is kept as the text
//! it was and reported in a [`Miss`]; the pipeline's `types` validation rejects it by its key.

use serde_json::{Map, Number, Value};
use weir_sdk::date::Instant;
use weir_sdk::{Error, Record, Result};

use crate::config::{CellType, Stream};
use crate::table::{Content, Row};

/// A record and its cursor as an instant, for incremental reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub record: Record,
    pub instant: Option<Instant>,
}

/// A value that does not fit its column's declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    pub line: u64,
    pub column: String,
    pub value: String,
    pub expected: &'static str,
}

/// Checks that a CSV header has every column the stream's configuration names.
pub fn check_header(stream: &Stream, columns: &[String]) -> Result<()> {
    let named = std::iter::once(&stream.key).chain(&stream.cursor).chain(stream.types.keys());
    for column in named {
        if !columns.contains(column) {
            return Err(Error::config(format_args!(
                "stream `{}`: {} has no column `{column}`; its columns are {}",
                stream.name,
                stream.file,
                columns.join(", ")
            )));
        }
    }
    Ok(())
}

/// Turns one row into a record. `columns` is the CSV header (unused for JSONL).
pub fn map_row(row: Row, stream: &Stream, columns: &[String], misses: &mut Vec<Miss>) -> Mapped {
    let values: Map<String, Value> = match row.content {
        Content::Cells(cells) if cells.len() == columns.len() => {
            columns.iter().cloned().zip(cells.into_iter().map(Value::String)).collect()
        }
        Content::Cells(cells) => {
            let problem = format!("the row has {} fields, the header {}", cells.len(), columns.len());
            return invalid(stream, row.line, &problem, Some(&cells.join(&char::from(stream.delimiter).to_string())));
        }
        Content::Object(object) => object,
        Content::Malformed { problem, quoted } => return invalid(stream, row.line, &problem, Some(&quoted)),
    };
    let key = match values.get(&stream.key) {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let mut fields = Map::with_capacity(values.len() + 3);
    let mut instant = None;
    for (column, value) in values {
        let typed = if stream.cursor.as_ref() == Some(&column) {
            let (typed, at) = fit(value, CellType::Datetime, &column, row.line, misses);
            instant = at;
            typed
        } else {
            match stream.types.get(&column) {
                Some(&ty) => fit(value, ty, &column, row.line, misses).0,
                None => value,
            }
        };
        fields.insert(column, typed);
    }
    if key.is_empty() {
        let problem = format!("no value in the key column `{}`", stream.key);
        locate(&mut fields, stream, row.line, &problem);
    }
    let record = Record::new(key, Value::Object(fields).to_string());
    let record = match instant {
        Some(at) => record.with_cursor(at.to_rfc3339()),
        None => record,
    };
    Mapped { record, instant }
}

/// A record for a row that could not be read: an empty key and where it is.
fn invalid(stream: &Stream, line: u64, problem: &str, quoted: Option<&str>) -> Mapped {
    let mut fields = Map::new();
    locate(&mut fields, stream, line, problem);
    if let Some(quoted) = quoted {
        fields.insert("_row".into(), quoted.into());
    }
    Mapped { record: Record::new("", Value::Object(fields).to_string()), instant: None }
}

fn locate(fields: &mut Map<String, Value>, stream: &Stream, line: u64, problem: &str) {
    fields.insert("_error".into(), format!("{} line {line}: {problem}", stream.file).into());
    fields.insert("_file".into(), stream.file.clone().into());
    fields.insert("_line".into(), line.into());
}

/// A value as its type wants it, and the instant of a date. A blank text is `null`; a value
/// that does not fit is kept as it was and reported.
fn fit(value: Value, ty: CellType, column: &str, line: u64, misses: &mut Vec<Miss>) -> (Value, Option<Instant>) {
    let fitted = match (&value, ty) {
        (Value::Null, _) => return (Value::Null, None),
        (Value::String(s), _) if s.trim().is_empty() => return (Value::Null, None),
        (Value::String(s), CellType::Datetime) => {
            if let Some(at) = Instant::parse(s) {
                return (Value::String(at.to_rfc3339()), Some(at));
            }
            None
        }
        (Value::String(s), ty) => convert(s, ty),
        (Value::Number(_), CellType::Number) | (Value::Bool(_), CellType::Boolean) => Some(value.clone()),
        (Value::Number(n), CellType::Integer) if n.is_i64() || n.is_u64() => Some(value.clone()),
        _ => None,
    };
    match fitted {
        Some(v) => (v, None),
        None => {
            let shown = match &value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            misses.push(Miss { line, column: column.to_owned(), value: shown, expected: ty.name() });
            (value, None)
        }
    }
}

/// A cell's text as a value of type `ty`, or `None` when it does not fit.
pub fn convert(text: &str, ty: CellType) -> Option<Value> {
    let text = text.trim();
    match ty {
        CellType::String => Some(Value::String(text.to_owned())),
        CellType::Number => parse_number(text).and_then(Number::from_f64).map(Value::Number),
        CellType::Integer => parse_integer(text).map(Value::from),
        CellType::Boolean => parse_bool(text).map(Value::Bool),
        CellType::Datetime => Instant::parse(text).map(|at| Value::String(at.to_rfc3339())),
    }
}

/// Digit groups may be split by spaces (`1 234,50`, also no-break spaces).
fn ungrouped(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect()
}

/// A decimal number with a comma or a dot as the decimal separator: `12,50`, `12.5`,
/// `1 234,50`, `1.234,50`, `1,234.50`, `-0,5`. A lone separator repeated (`1.234.567`) is
/// ambiguous and refused.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = ungrouped(text);
    let (commas, dots) = (text.matches(',').count(), text.matches('.').count());
    let plain = match (commas, dots) {
        (0, 0 | 1) => text,
        (1, 0) => text.replace(',', "."),
        // Both: the later one is the decimal separator, the other groups thousands.
        (_, _) if commas > 0 && dots > 0 => {
            let (group, decimal) = if text.rfind(',') > text.rfind('.') { ('.', ',') } else { (',', '.') };
            if text.matches(decimal).count() != 1 {
                return None;
            }
            text.replace(group, "").replace(decimal, ".")
        }
        _ => return None,
    };
    let digits = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !well_formed || digits.ends_with('.') {
        return None;
    }
    plain.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A whole number, digit groups allowed: `1 234`, `-5`.
pub fn parse_integer(text: &str) -> Option<i64> {
    let text = ungrouped(text);
    let digits = text.strip_prefix(['-', '+']).unwrap_or(&text);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// Yes and no as exports write them, in English and Czech.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "ano" | "a" | "pravda" => Some(true),
        "false" | "0" | "no" | "n" | "ne" | "nepravda" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::Format;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn products() -> Stream {
        Stream {
            name: "products".into(),
            file: "products.csv".into(),
            path: "/exports/products.csv".into(),
            format: Format::Csv,
            delimiter: b';',
            key: "code".into(),
            cursor: Some("modifiedon".into()),
            types: BTreeMap::from([
                ("price".into(), CellType::Number),
                ("stock".into(), CellType::Integer),
                ("active".into(), CellType::Boolean),
            ]),
        }
    }

    fn columns() -> Vec<String> {
        ["code", "name", "price", "stock", "active", "modifiedon"].map(String::from).to_vec()
    }

    fn cells(line: u64, cells: &[&str]) -> Row {
        Row { line, content: Content::Cells(cells.iter().map(|c| (*c).to_owned()).collect()) }
    }

    fn fields(m: &Mapped) -> Value {
        m.record.fields_as().unwrap()
    }

    #[test]
    fn csv_rows_become_typed_records_with_a_normalised_cursor() {
        let mut misses = Vec::new();
        let row = cells(7, &[" GN-101 ", "Hrnec 20 l", "1 289,50", "12", "ano", "8.1.2026 10:30"]);
        let m = map_row(row, &products(), &columns(), &mut misses);
        assert_eq!(m.record.key, "GN-101");
        assert_eq!(m.record.cursor.as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(m.instant, Instant::parse("2026-01-08T10:30:00Z"));
        assert_eq!(
            fields(&m),
            json!({"code": " GN-101 ", "name": "Hrnec 20 l", "price": 1289.5, "stock": 12, "active": true,
                   "modifiedon": "2026-01-08T10:30:00Z"})
        );
        assert!(misses.is_empty());
    }

    #[test]
    fn blank_typed_cells_are_null_and_misfits_stay_text_and_are_reported() {
        let mut misses = Vec::new();
        let m = map_row(cells(3, &["A1", "", "", "12,5", "možná", "včera"]), &products(), &columns(), &mut misses);
        assert_eq!(m.record.key, "A1");
        assert_eq!(m.record.cursor, None);
        let f = fields(&m);
        assert_eq!((&f["name"], &f["price"]), (&json!(""), &Value::Null), "untyped cells stay strings");
        assert_eq!((&f["stock"], &f["active"], &f["modifiedon"]), (&json!("12,5"), &json!("možná"), &json!("včera")));
        let missed: Vec<(&str, &str)> = misses.iter().map(|m| (m.column.as_str(), m.expected)).collect();
        assert_eq!(missed, [("active", "a boolean"), ("modifiedon", "a date"), ("stock", "an integer")]);
        assert!(misses.iter().all(|m| m.line == 3));
    }

    #[test]
    fn rows_that_cannot_become_records_keep_an_empty_key_and_say_where_they_are() {
        let mut misses = Vec::new();
        let m = map_row(cells(9, &["", "Bez kódu", "1", "1", "1", ""]), &products(), &columns(), &mut misses);
        assert_eq!(m.record.key, "");
        let f = fields(&m);
        assert_eq!(f["name"], "Bez kódu", "the row's own fields stay for the log");
        assert_eq!(f["_error"], "products.csv line 9: no value in the key column `code`");
        assert_eq!((&f["_file"], &f["_line"]), (&json!("products.csv"), &json!(9)));

        let m = map_row(cells(4, &["A1", "Hrnec"]), &products(), &columns(), &mut misses);
        assert_eq!(m.record.key, "");
        assert_eq!(fields(&m)["_error"], "products.csv line 4: the row has 2 fields, the header 6");
        assert_eq!(fields(&m)["_row"], "A1;Hrnec", "the cells, joined by the delimiter");

        let row = Row { line: 5, content: Content::Malformed { problem: "field 2 is bad".into(), quoted: "x".into() } };
        let m = map_row(row, &products(), &columns(), &mut misses);
        assert_eq!((m.record.key.as_str(), m.instant), ("", None));
        assert_eq!(fields(&m)["_error"], "products.csv line 5: field 2 is bad");
    }

    #[test]
    fn jsonl_objects_keep_their_json_types_and_strings_are_typed() {
        let mut stream = products();
        stream.format = Format::Jsonl;
        let object = json!({"code": 101, "price": "12,50", "stock": 3.5, "active": false,
                            "modifiedon": "2026-01-08T11:30:00+01:00", "tags": ["nerez"]});
        let Value::Object(object) = object else { unreachable!() };
        let mut misses = Vec::new();
        let m = map_row(Row { line: 2, content: Content::Object(object) }, &stream, &[], &mut misses);
        assert_eq!(m.record.key, "101");
        assert_eq!(m.record.cursor.as_deref(), Some("2026-01-08T10:30:00Z"));
        let f = fields(&m);
        assert_eq!((&f["price"], &f["active"], &f["tags"]), (&json!(12.5), &json!(false), &json!(["nerez"])));
        assert_eq!(f["stock"], json!(3.5), "a fraction is no integer: kept and reported");
        assert_eq!(misses.len(), 1);
    }

    #[test]
    fn czech_and_english_numbers() {
        for (text, n) in [
            ("12,50", 12.5),
            ("12.5", 12.5),
            ("1 234,50", 1234.5),
            ("1\u{a0}234,5", 1234.5),
            ("1.234,50", 1234.5),
            ("1,234.50", 1234.5),
            ("-0,5", -0.5),
            ("+3", 3.0),
            (",5", 0.5),
            ("0", 0.0),
        ] {
            assert_eq!(parse_number(text), Some(n), "{text}");
        }
        for bad in ["", "abc", "12,50 Kč", "1.234.567", "1,2,3", "1e5", "NaN", "inf", "12,", "-", "1.2,3.4", "--1"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
        assert_eq!(convert(" 12,50 ", CellType::Number), Some(json!(12.5)));
    }

    #[test]
    fn integers_booleans_and_dates() {
        assert_eq!(parse_integer("1 234"), Some(1234));
        assert_eq!(parse_integer("-5"), Some(-5));
        for bad in ["", "1,5", "1.0", "x", "99999999999999999999"] {
            assert_eq!(parse_integer(bad), None, "{bad}");
        }
        for (text, b) in [("Ano", true), ("NE", false), ("1", true), ("0", false), ("true", true), ("n", false)] {
            assert_eq!(parse_bool(text), Some(b), "{text}");
        }
        assert_eq!(parse_bool("možná"), None);
        assert_eq!(convert("8.1.2026", CellType::Datetime), Some(json!("2026-01-08T00:00:00Z")));
        assert_eq!(convert(" Hrnec ", CellType::String), Some(json!("Hrnec")));
    }

    #[test]
    fn a_header_must_name_every_configured_column() {
        assert!(check_header(&products(), &columns()).is_ok());
        let short: Vec<String> = ["code", "name", "price", "stock", "active"].map(String::from).to_vec();
        let err = check_header(&products(), &short).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("no column `modifiedon`") && m.contains("products.csv")));
    }
}
