//! Arbitrary bytes as the body of a BlueJet data page (`GET /api/v1/data`): parsing it, mapping
//! its rows to records and moving the read state past them never panic, and what comes out
//! holds together.
#![no_main]

use bluejet_source::fuzzing::{DataResponse, DateFormat, Mapped, State, map_row, normalise_date};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const KEY: &str = "productid";
const CURSOR: &str = "modifiedon";

fuzz_target!(|data: &[u8]| {
    // The plugin reads pages with `serde_json::from_slice`, values borrowed as raw JSON; a
    // page it cannot parse, or with a value a record cannot carry, is refused as a whole.
    let Ok(page) = serde_json::from_slice::<DataResponse>(data) else {
        return;
    };
    if page.rows.into_iter().any(|row| map_row(row, KEY, CURSOR, DateFormat::Auto, None).is_err()) {
        return;
    }
    let keep = ["name".to_owned(), "code".to_owned()];
    let mut mapped = Vec::new();
    for (format, fields) in [
        (DateFormat::Auto, None),
        (DateFormat::Iso, Some(&keep[..])),
        (DateFormat::Czech, None),
        // What a key listing asks for: the key alone.
        (DateFormat::Auto, Some(&[][..])),
    ] {
        let page: DataResponse = serde_json::from_slice(data).unwrap();
        mapped = page.rows.into_iter().map(|row| map_row(row, KEY, CURSOR, format, fields).unwrap()).collect();
        for m in &mapped {
            check(m, fields);
        }
    }
    // `mapped` is the key-listing mapping; map once more with every column for the states.
    let page: DataResponse = serde_json::from_slice(data).unwrap();
    let rows: Vec<Mapped> =
        page.rows.into_iter().map(|row| map_row(row, KEY, CURSOR, DateFormat::Auto, None).unwrap()).collect();
    assert_eq!(rows.len(), mapped.len());

    let limit = (rows.len() as u32).max(1);
    let from = rows.iter().find_map(|m| m.raw_cursor.clone()).unwrap_or_else(|| "2026-01-08T10:30:00".to_owned());
    let seen: Vec<String> = rows.iter().take(1).map(|m| m.record.key.clone()).collect();
    for state in [
        State::Keys { after: None, skip: 0, until: None },
        State::Keys { after: Some("6F1C0A52-1B2C-4D3E-8F90-123456789ABC".to_owned()), skip: 3, until: None },
        State::Since { from: from.clone(), seen: Vec::new(), skip: 0, until: None },
        State::Since { from: from.clone(), seen: seen.clone(), skip: 0, until: None },
        // Deep in a bucket of rows sharing one cursor value, anchored or not.
        State::Since { from: from.clone(), seen, skip: limit, until: None },
    ] {
        let plan = state.plan(KEY, CURSOR);
        assert!(plan.sort.starts_with('+'));
        let (fresh, next) = state.advance(rows.clone(), limit);
        assert!(fresh.len() <= rows.len());
        assert_eq!(State::parse(&next.to_text()).unwrap(), next, "a state must survive the store");
        match (&state, &next) {
            (State::Keys { .. }, State::Keys { after, .. }) => {
                if let Some(last) = rows.iter().rev().find(|m| !m.record.key.is_empty()) {
                    assert_eq!(after.as_deref(), Some(last.record.key.as_str()));
                }
            }
            (State::Since { from, seen, .. }, State::Since { .. }) => {
                // A row already returned at `from` never comes back.
                for m in &fresh {
                    let repeat = m.raw_cursor.as_deref() == Some(from.as_str()) && seen.contains(&m.record.key);
                    assert!(!repeat, "row {:?} returned twice at {from}", m.record.key);
                }
            }
            (before, after) => panic!("the state changed mode: {before:?} -> {after:?}"),
        }
    }
});

/// What any mapped row must look like.
fn check(m: &Mapped, fields: Option<&[String]>) {
    assert_eq!(m.record.key, m.record.key.trim(), "keys are trimmed");
    if let Some(raw) = &m.raw_cursor {
        assert!(!raw.is_empty() && raw == raw.trim(), "raw cursors are trimmed and never empty");
    }
    if let Some(cursor) = &m.record.cursor {
        assert!(m.raw_cursor.is_some(), "a normalised cursor comes from a raw one");
        // Normalised cursors are RFC 3339 UTC, which normalises to itself.
        assert!(cursor.ends_with('Z'), "{cursor}");
        assert_eq!(normalise_date(cursor, DateFormat::Iso).as_deref(), Some(cursor.as_str()));
    }
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&m.record.fields) else {
        panic!("a record's fields must be a JSON object: {}", m.record.fields);
    };
    if let Some(keep) = fields {
        for name in map.keys() {
            assert!(name == KEY || name == CURSOR || keep.contains(name), "column `{name}` was not asked for");
        }
    }
}
