//! BlueJet's answers and how their rows become records.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use weir_sdk::Record;

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

/// Normalises a BlueJet date to RFC 3339 (UTC). Accepts ISO 8601 with or without zone and
/// fraction (`2026-01-08T10:30:00`, `2026-01-08 10:30:00.123`, `2026-01-08T10:30:00+01:00`) and
/// the Czech `8.1.2026 10:30[:15]`. Values without a zone are taken as UTC, consistently both
/// ways, so a cursor written back into a condition compares as BlueJet wrote it.
pub fn normalise_date(raw: &str, format: DateFormat) -> Option<String> {
    let raw = raw.trim();
    let parsed = match format {
        DateFormat::Iso => parse_iso(raw),
        DateFormat::Czech => parse_czech(raw),
        DateFormat::Auto => parse_iso(raw).or_else(|| parse_czech(raw)),
    }?;
    Some(parsed.to_rfc3339())
}

/// Turns an RFC 3339 instant from the host into the ISO form BlueJet compares with
/// (`2026-01-08T10:30:00`, UTC, no zone).
pub fn to_bluejet_iso(rfc3339: &str) -> Option<String> {
    let t = parse_iso(rfc3339.trim())?;
    Some(format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second))
}

/// A UTC date and time with whole seconds and an optional fraction kept as digits.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DateTime {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    fraction: String,
}

impl DateTime {
    fn to_rfc3339(&self) -> String {
        let fraction = if self.fraction.is_empty() { String::new() } else { format!(".{}", self.fraction) };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    fn valid(self) -> Option<Self> {
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        let ok = (1..=9999).contains(&self.year)
            && (1..=days).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60;
        ok.then_some(self)
    }

    /// Shifts by a zone offset in minutes east of UTC, to UTC.
    fn into_utc(mut self, offset_minutes: i64) -> Option<Self> {
        if offset_minutes == 0 {
            return Some(self);
        }
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * 86_400 + i64::from(self.hour * 3600 + self.minute * 60 + self.second) - offset_minutes * 60;
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        self.year = y;
        self.month = m;
        self.day = d;
        self.hour = (rem / 3600) as u32;
        self.minute = (rem % 3600 / 60) as u32;
        self.second = (rem % 60) as u32;
        self.valid()
    }
}

fn num<T: std::str::FromStr>(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<T> {
    (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn parse_time(time: &str) -> Option<(u32, u32, u32, String)> {
    let (hms, fraction) = match time.split_once(['.', ',']) {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, f.trim_end_matches('0')),
        Some(_) => return None,
        None => (time, ""),
    };
    let mut parts = hms.split(':');
    let hour = num(parts.next()?, 1..=2)?;
    let minute = num(parts.next()?, 2..=2)?;
    let second = match parts.next() {
        Some(s) => num(s, 2..=2)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((hour, minute, second, fraction.to_owned()))
}

fn parse_iso(raw: &str) -> Option<DateTime> {
    // Not split inside a character: a value with one there is no date, and fails below.
    let (date, rest) = raw.split_at_checked(10).unwrap_or((raw, ""));
    let mut d = date.split('-');
    let year = num(d.next()?, 4..=4)?;
    let month = num(d.next()?, 2..=2)?;
    let day = num(d.next()?, 2..=2)?;
    if d.next().is_some() {
        return None;
    }
    if rest.is_empty() {
        return DateTime { year, month, day, hour: 0, minute: 0, second: 0, fraction: String::new() }.valid();
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, zone) = rest.split_at(i);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = &zone[1..];
        let (h, m) = zone.split_once(':').unwrap_or((zone.get(..2)?, zone.get(2..)?));
        (t, sign * (num::<i64>(h, 2..=2)? * 60 + num::<i64>(m, 2..=2)?))
    } else {
        (rest, 0)
    };
    let (hour, minute, second, fraction) = parse_time(time)?;
    DateTime { year, month, day, hour, minute, second, fraction }.valid()?.into_utc(offset)
}

fn parse_czech(raw: &str) -> Option<DateTime> {
    let (date, time) = match raw.split_once(' ') {
        Some((d, t)) => (d.trim(), t.trim()),
        None => (raw, ""),
    };
    let mut d = date.split('.').map(str::trim);
    let day = num(d.next()?, 1..=2)?;
    let month = num(d.next()?, 1..=2)?;
    let year = num(d.next()?, 4..=4)?;
    if d.next().is_some() {
        return None;
    }
    let (hour, minute, second, fraction) = if time.is_empty() { (0, 0, 0, String::new()) } else { parse_time(time)? };
    DateTime { year, month, day, hour, minute, second, fraction }.valid()
}

// Howard Hinnant's civil-date algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
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
        for days in [-1000i64, 0, 20_000, 20_461] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
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
