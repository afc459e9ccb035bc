//! BlueJet's answers and how their rows become records.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use weir_sdk::Record;
use weir_sdk::date::Instant;

use crate::config::DateFormat;

/// The body of `GET /api/v1/data`. Values stay as the JSON text BlueJet sent (borrowed from
/// the body): most are copied into the record as they are, never built into a tree.
#[derive(Debug, Deserialize)]
pub struct DataResponse<'a> {
    #[serde(default, borrow)]
    pub rows: Vec<Row<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Row<'a> {
    #[serde(default, borrow)]
    pub columns: Vec<Column<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Column<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// `None` for `null` or a missing value.
    #[serde(default, borrow)]
    pub value: Option<&'a RawValue>,
}

/// The body of `POST /api/v1/users/authenticate`.
#[derive(Debug, Deserialize)]
pub struct AuthResponse {
    #[serde(default)]
    pub succeeded: bool,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub message: String,
}

/// A row turned into a map of column name → JSON value, with its key and raw cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub record: Record,
    /// The cursor column's value exactly as BlueJet sent it (for the next condition).
    pub raw_cursor: Option<String>,
}

/// Turns one row into a record. A row without a usable key keeps an empty key so that the host
/// reports it as invalid (it is never dropped silently); a cursor that is not a date is kept
/// raw and the record carries no normalised cursor. The fields are a JSON object of the
/// columns in name order, the last value of a repeated name winning; a number JSON cannot hold
/// (`1e400`) is an error, as it was when the page was parsed into values.
pub fn map_row(
    row: Row<'_>,
    key_column: &str,
    cursor_column: &str,
    format: DateFormat,
    keep: Option<&[String]>,
) -> Result<Mapped, String> {
    let mut columns = row.columns;
    columns.sort_by(|a, b| a.name.cmp(&b.name));
    let mut unique: Vec<Column<'_>> = Vec::with_capacity(columns.len());
    for column in columns {
        match unique.last_mut() {
            Some(last) if last.name == column.name => *last = column,
            _ => unique.push(column),
        }
    }
    let decoded = |name: &str| -> Value {
        unique
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.value)
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or(Value::Null)
    };
    let key = match decoded(key_column) {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let raw_cursor = if cursor_column.is_empty() {
        None
    } else {
        match decoded(cursor_column) {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            _ => None,
        }
    };
    let cursor = raw_cursor.as_deref().and_then(|raw| normalise_date(raw, format));
    if let Some(keep) = keep {
        unique.retain(|c| c.name == key_column || c.name == cursor_column || keep.iter().any(|k| *k == c.name));
    }
    let mut fields = String::with_capacity(
        unique.iter().map(|c| c.name.len() + c.value.map_or(4, |v| v.get().len()) + 4).sum::<usize>() + 2,
    );
    fields.push('{');
    for (i, column) in unique.iter().enumerate() {
        if i > 0 {
            fields.push(',');
        }
        push_json_string(&mut fields, &column.name);
        fields.push(':');
        push_value(&mut fields, column)?;
    }
    fields.push('}');
    Ok(Mapped { record: Record { key, fields, cursor }, raw_cursor })
}

/// `text` as a JSON string.
fn push_json_string(out: &mut String, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&Value::from(text).to_string());
    }
}

/// A column's value: strings and literals as BlueJet wrote them (already checked JSON), numbers
/// checked to fit, arrays and objects through a value.
fn push_value(out: &mut String, column: &Column<'_>) -> Result<(), String> {
    let Some(raw) = column.value else {
        out.push_str("null");
        return Ok(());
    };
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"' | b't' | b'f' | b'n') => out.push_str(text),
        Some(b'-' | b'0'..=b'9') => match serde_json::from_str::<serde_json::Number>(text) {
            Ok(_) => out.push_str(text),
            Err(e) => return Err(format!("column `{}`: {e}", column.name)),
        },
        _ => match serde_json::from_str::<Value>(text) {
            Ok(v) => out.push_str(&v.to_string()),
            Err(e) => return Err(format!("column `{}`: {e}", column.name)),
        },
    }
    Ok(())
}

/// Normalises a BlueJet date to RFC 3339 (UTC), in the ISO 8601 and Czech forms
/// [`Instant`] reads (`2026-01-08T10:30:00`, `2026-01-08 10:30:00.123`,
/// `2026-01-08T10:30:00+01:00`, `8.1.2026 10:30[:15]`). Values without a zone are taken as UTC,
/// consistently both ways, so a cursor written back into a condition compares as BlueJet wrote it.
pub fn normalise_date(raw: &str, format: DateFormat) -> Option<String> {
    let parsed = match format {
        DateFormat::Iso => Instant::parse_iso(raw),
        DateFormat::Czech => Instant::parse_czech(raw),
        DateFormat::Auto => Instant::parse(raw),
    }?;
    Some(parsed.to_rfc3339())
}

/// Turns an RFC 3339 instant from the host into the ISO form BlueJet compares with
/// (`2026-01-08T10:30:00`, UTC, no zone).
pub fn to_bluejet_iso(rfc3339: &str) -> Option<String> {
    Instant::parse_iso(rfc3339).map(Instant::to_naive_iso)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Maps a row given as `(name, value)` pairs, going through JSON text as a page does.
    fn map(columns: &[(&str, Value)], key: &str, cursor: &str, keep: Option<&[String]>) -> Mapped {
        let cols: Vec<Value> = columns.iter().map(|(n, v)| serde_json::json!({ "name": n, "value": v })).collect();
        let page = serde_json::json!({ "rows": [{ "columns": cols }] }).to_string();
        let page: DataResponse<'_> = serde_json::from_str(&page).unwrap();
        map_row(page.rows.into_iter().next().unwrap(), key, cursor, DateFormat::Auto, keep).unwrap()
    }

    #[test]
    fn rows_become_records_with_json_types_kept() {
        let r = [
            ("productid", Value::from("6F1C0A52-1B2C-4D3E-8F90-123456789ABC")),
            ("name", Value::from("Konvektomat Rational iCombi Pro 6-1/1")),
            ("price", serde_json::json!(289990.5)),
            ("stock", serde_json::json!(3)),
            ("active", Value::Bool(true)),
            ("ean", Value::Null),
            ("modifiedon", Value::from("2026-01-08T10:30:00")),
            ("note", Value::from("uvozovky \" a \\ a\nřádek")),
            ("tags", serde_json::json!(["a", { "b": 1.50 }])),
        ];
        let m = map(&r, "productid", "modifiedon", None);
        assert_eq!(m.record.key, "6F1C0A52-1B2C-4D3E-8F90-123456789ABC");
        assert_eq!(m.record.cursor.as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(m.raw_cursor.as_deref(), Some("2026-01-08T10:30:00"));
        let fields: Value = serde_json::from_str(&m.record.fields).unwrap();
        assert_eq!(fields["price"], serde_json::json!(289990.5));
        assert_eq!(fields["stock"], serde_json::json!(3));
        assert_eq!(fields["active"], Value::Bool(true));
        assert!(fields["ean"].is_null());
        assert_eq!(fields["name"], "Konvektomat Rational iCombi Pro 6-1/1");
        assert_eq!(fields["note"], "uvozovky \" a \\ a\nřádek");
        assert_eq!(fields["tags"], serde_json::json!(["a", { "b": 1.5 }]));
        // Name order, as a JSON object of the columns.
        let names: Vec<String> =
            serde_json::from_str::<serde_json::Map<String, Value>>(&m.record.fields).unwrap().keys().cloned().collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn a_repeated_column_keeps_its_last_value_and_odd_names_are_escaped() {
        let page = r#"{"rows":[{"columns":[{"name":"id","value":"a"},{"name":"x","value":1},{"name":"x","value":2},{"name":"we\"ird","value":null},{"name":"n"}]}]}"#;
        let page: DataResponse<'_> = serde_json::from_str(page).unwrap();
        let m = map_row(page.rows.into_iter().next().unwrap(), "id", "", DateFormat::Auto, None).unwrap();
        let fields: Value = serde_json::from_str(&m.record.fields).unwrap();
        assert_eq!(fields, serde_json::json!({ "id": "a", "x": 2, "we\"ird": null, "n": null }));
    }

    #[test]
    fn a_number_json_cannot_hold_is_an_error_not_a_broken_record() {
        let page = r#"{"rows":[{"columns":[{"name":"id","value":"a"},{"name":"x","value":1e400}]}]}"#;
        let page: DataResponse<'_> = serde_json::from_str(page).unwrap();
        let err = map_row(page.rows.into_iter().next().unwrap(), "id", "", DateFormat::Auto, None).unwrap_err();
        assert!(err.contains("column `x`"), "{err}");
    }

    #[test]
    fn a_row_without_a_key_is_kept_with_an_empty_key_for_the_host_to_report() {
        let m = map(&[("name", Value::from("bez klíče"))], "productid", "modifiedon", None);
        assert_eq!(m.record.key, "");
        let m = map(&[("productid", Value::Null)], "productid", "modifiedon", None);
        assert_eq!(m.record.key, "");
        assert_eq!(m.record.cursor, None);
    }

    #[test]
    fn a_field_list_keeps_key_cursor_and_listed_columns() {
        let r = [
            ("id", Value::from("a")),
            ("name", Value::from("n")),
            ("x", Value::from(1)),
            ("m", Value::from("1.2.2026")),
        ];
        let keep = vec!["name".to_owned()];
        let m = map(&r, "id", "m", Some(&keep));
        let fields: serde_json::Map<String, Value> = serde_json::from_str(&m.record.fields).unwrap();
        assert_eq!(fields.keys().collect::<Vec<_>>(), vec!["id", "m", "name"]);
    }

    #[test]
    fn dates_in_iso_and_czech_forms_normalise_to_rfc3339() {
        let n = |s| normalise_date(s, DateFormat::Auto);
        assert_eq!(n("2026-01-08T10:30:00").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("2026-01-08 10:30:00.1230").as_deref(), Some("2026-01-08T10:30:00.123Z"));
        assert_eq!(n("2026-01-08T10:30").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("2026-01-08T00:30:00+01:00").as_deref(), Some("2026-01-07T23:30:00Z"));
        assert_eq!(n("2026-12-31T23:30:00-01:00").as_deref(), Some("2027-01-01T00:30:00Z"));
        assert_eq!(n("2026-01-08").as_deref(), Some("2026-01-08T00:00:00Z"));
        assert_eq!(n("8.1.2026 10:30").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("08.01.2026 9:05:07").as_deref(), Some("2026-01-08T09:05:07Z"));
        assert_eq!(normalise_date("8. 1. 2026 9:05", DateFormat::Czech).as_deref(), Some("2026-01-08T09:05:00Z"));
        assert_eq!(n("29.2.2024").as_deref(), Some("2024-02-29T00:00:00Z"));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "",
            "yesterday",
            "2026-02-30T10:00:00",
            "31.4.2026 10:00",
            "2026-13-01",
            "8.1.26 10:30",
            "2026-01-08T25:00:00",
            "29.2.2026",
            "2026-01-08T10:30:00+1",
        ] {
            assert_eq!(normalise_date(bad, DateFormat::Auto), None, "{bad}");
        }
        assert_eq!(normalise_date("8.1.2026 10:30", DateFormat::Iso), None);
        assert_eq!(normalise_date("2026-01-08T10:30:00", DateFormat::Czech), None);
    }

    #[test]
    fn host_instants_turn_back_into_bluejet_iso() {
        assert_eq!(to_bluejet_iso("2026-01-08T10:30:00Z").as_deref(), Some("2026-01-08T10:30:00"));
        assert_eq!(to_bluejet_iso("2026-01-08T11:30:00+01:00").as_deref(), Some("2026-01-08T10:30:00"));
        assert_eq!(to_bluejet_iso("garbage"), None);
    }

    /// Found by the fuzz targets (`fuzz/regressions/bluejet_cursor/date-split-inside-a-character`,
    /// `fuzz/regressions/bluejet_row/cursor-split-inside-a-character`): a character of several
    /// bytes across the tenth byte made the ISO parser panic instead of refusing the value.
    #[test]
    fn fuzz_regression_a_character_across_the_date_split_is_no_date() {
        let found = include_bytes!("../../../fuzz/regressions/bluejet_cursor/date-split-inside-a-character");
        let text = String::from_utf8_lossy(found);
        for format in [DateFormat::Auto, DateFormat::Iso, DateFormat::Czech] {
            assert_eq!(normalise_date(&text, format), None);
        }
        assert_eq!(to_bluejet_iso(&text), None);
        assert_eq!(normalise_date("2026-01-0ž", DateFormat::Auto), None);

        let page = include_bytes!("../../../fuzz/regressions/bluejet_row/cursor-split-inside-a-character");
        let page: DataResponse<'_> = serde_json::from_slice(page).unwrap();
        let row = page.rows.into_iter().next().unwrap();
        let m = map_row(row, "productid", "modifiedon", DateFormat::Auto, None).unwrap();
        assert_eq!(m.raw_cursor.as_deref(), Some("2026-01-0ž 10:30:00"));
        assert_eq!(m.record.cursor, None, "kept raw, not normalised");
    }
}
