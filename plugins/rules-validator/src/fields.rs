//! Reads a record's fields, keeping only those some rule looks at.
//!
//! Records carry far more than the rules check (descriptions, notes, timestamps); building a
//! `Value` for each of those is most of the cost of a batch. Skipped values are still parsed, so
//! malformed JSON is refused all the same.

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::rules::describe;

/// The `wanted` fields of a record, or the message of its `json-object` violation.
pub fn read(json: &str, wanted: &[&str]) -> Result<Map<String, Value>, String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let fields = Wanted(wanted).deserialize(&mut deserializer).and_then(|fields| {
        deserializer.end()?;
        Ok(fields)
    });
    fields.map_err(|e| match serde_json::from_str::<Value>(json) {
        // Only a failed record pays for parsing it again, to say what it is instead.
        Ok(other) => format!("fields must be a JSON object, got {}", describe(&other)),
        Err(_) => format!("fields are not valid JSON: {e}"),
    })
}

/// The names of the fields to keep.
struct Wanted<'a>(&'a [&'a str]);

impl<'de> DeserializeSeed<'de> for Wanted<'_> {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Wanted<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Map::new();
        while let Some(Key(key)) = map.next_key()? {
            if self.0.contains(&key.as_ref()) {
                // A repeated key keeps its last value, as `serde_json::Value` does.
                fields.insert(key.into_owned(), map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(fields)
    }
}

/// A key, borrowed from the input unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn only_wanted_fields_are_kept_and_their_values_are_whole() {
        let fields = read(
            r#"{"price": 12.5, "note": {"deep": [1, 2, {"x": null}]}, "code": "A\u0042", "tags": ["a"], "ean": null}"#,
            &["price", "code", "ean", "absent"],
        )
        .unwrap();
        assert_eq!(Value::Object(fields), json!({"price": 12.5, "code": "AB", "ean": null}));
    }

    #[test]
    fn escaped_keys_match_and_repeated_keys_keep_the_last_value() {
        let fields = read(r#"{"pr\u0069ce": 1, "code": "a", "code": "b"}"#, &["price", "code"]).unwrap();
        assert_eq!(Value::Object(fields), json!({"price": 1, "code": "b"}));
    }

    #[test]
    fn other_json_and_broken_json_are_told_apart() {
        assert_eq!(read("[1, 2]", &[]).unwrap_err(), "fields must be a JSON object, got array [1,2]");
        assert_eq!(read("null", &["a"]).unwrap_err(), "fields must be a JSON object, got null");
        assert_eq!(read(r#""{}""#, &[]).unwrap_err(), r#"fields must be a JSON object, got string "{}""#);
        // Skipped values are parsed too: broken JSON anywhere is refused.
        let e = read(r#"{"a": 1, "skipped": [1, 2}"#, &["a"]).unwrap_err();
        assert!(e.starts_with("fields are not valid JSON: "), "{e}");
        let e = read(r#"{"a": 1} trailing"#, &["a"]).unwrap_err();
        assert!(e.starts_with("fields are not valid JSON: trailing characters"), "{e}");
        assert!(read("", &[]).unwrap_err().starts_with("fields are not valid JSON: EOF"));
    }
}
