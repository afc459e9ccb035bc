//! Built-in validation: the checks every pipeline can switch on without a plugin.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use weir_core::Violation;

/// Default longest rendered text, in characters (longer texts are cut by the embedding
/// provider anyway; a text this long is almost always a data error).
pub const DEFAULT_MAX_TEXT_CHARS: usize = 20_000;

/// The built-in rules of a pipeline (`[pipelines.NAME.validation]`).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Fields that must be present, not null and not an empty string.
    #[serde(default)]
    pub required: Vec<String>,
    /// Field types: `string`, `number`, `integer`, `boolean`, `object`, `array`. A field of
    /// the wrong type is invalid (a price given as `"12,50"` is not a number); a missing or
    /// null field passes (use `required` for that).
    #[serde(default)]
    pub types: BTreeMap<String, FieldType>,
    /// A regular expression the whole key must match, e.g. `^[0-9]+$`.
    #[serde(default)]
    pub key_pattern: Option<String>,
    /// Longest string value per field, in characters.
    #[serde(default)]
    pub max_length: BTreeMap<String, usize>,
    /// Longest rendered text, in characters.
    #[serde(default = "default_max_text")]
    pub max_text_chars: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            required: Vec::new(),
            types: BTreeMap::new(),
            key_pattern: None,
            max_length: BTreeMap::new(),
            max_text_chars: DEFAULT_MAX_TEXT_CHARS,
        }
    }
}

fn default_max_text() -> usize {
    DEFAULT_MAX_TEXT_CHARS
}

/// A JSON type a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum FieldType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
}

impl FieldType {
    fn matches(self, v: &Value) -> bool {
        match self {
            FieldType::String => v.is_string(),
            FieldType::Number => v.is_number(),
            FieldType::Integer => v.is_i64() || v.is_u64(),
            FieldType::Boolean => v.is_boolean(),
            FieldType::Object => v.is_object(),
            FieldType::Array => v.is_array(),
        }
    }
    fn name(self) -> &'static str {
        match self {
            FieldType::String => "a string",
            FieldType::Number => "a number",
            FieldType::Integer => "an integer",
            FieldType::Boolean => "a boolean",
            FieldType::Object => "an object",
            FieldType::Array => "an array",
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Rules ready to run.
#[derive(Debug, Clone)]
pub struct CompiledRules {
    rules: Rules,
    key_pattern: Option<Regex>,
}

impl Rules {
    /// Compiles the rules (the key pattern).
    pub fn compile(&self) -> Result<CompiledRules, String> {
        let key_pattern = match &self.key_pattern {
            Some(p) => Some(Regex::new(p).map_err(|e| format!("key_pattern `{p}` is not a regular expression: {e}"))?),
            None => None,
        };
        Ok(CompiledRules { rules: self.clone(), key_pattern })
    }
}

fn violation(rule: &str, field: Option<&str>, message: String) -> Violation {
    Violation { rule: rule.to_owned(), field: field.map(str::to_owned), message }
}

fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

impl CompiledRules {
    /// Checks one record: its key, its fields (must be a JSON object) and its rendered text.
    pub fn check(&self, key: &str, fields: &Value, text: &str) -> Vec<Violation> {
        let mut out = Vec::new();
        if key.trim().is_empty() {
            out.push(violation("key", None, "the record has no key".into()));
        } else if let Some(re) = &self.key_pattern
            && !re.is_match(key)
        {
            out.push(violation("key-pattern", None, format!("key `{key}` does not match `{}`", re.as_str())));
        }
        let Some(map) = fields.as_object() else {
            out.push(violation("json-object", None, format!("the fields are {}, not an object", type_name(fields))));
            return out;
        };
        for field in &self.rules.required {
            match map.get(field) {
                None | Some(Value::Null) => {
                    out.push(violation("required", Some(field), format!("`{field}` is missing")));
                }
                Some(Value::String(s)) if s.trim().is_empty() => {
                    out.push(violation("required", Some(field), format!("`{field}` is empty")));
                }
                _ => {}
            }
        }
        for (field, ty) in &self.rules.types {
            if let Some(v) = map.get(field).filter(|v| !v.is_null())
                && !ty.matches(v)
            {
                out.push(violation(
                    "type",
                    Some(field),
                    format!("`{field}` must be {}, got {} {}", ty.name(), type_name(v), shown(v)),
                ));
            }
        }
        for (field, max) in &self.rules.max_length {
            if let Some(Value::String(s)) = map.get(field) {
                let n = s.chars().count();
                if n > *max {
                    out.push(violation(
                        "max-length",
                        Some(field),
                        format!("`{field}` has {n} characters, at most {max} allowed"),
                    ));
                }
            }
        }
        if text.trim().is_empty() {
            out.push(violation("empty-text", None, "the rendered text is empty: nothing to embed".into()));
        } else {
            let n = text.chars().count();
            if n > self.rules.max_text_chars {
                out.push(violation(
                    "max-text",
                    None,
                    format!("the rendered text has {n} characters, at most {} allowed", self.rules.max_text_chars),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn rules() -> CompiledRules {
        let r: Rules = toml_like(json!({
            "required": ["name"],
            "types": {"price": "number", "stock": "integer"},
            "key_pattern": "^[0-9]+$",
            "max_length": {"name": 10},
        }));
        r.compile().unwrap()
    }

    fn toml_like(v: Value) -> Rules {
        serde_json::from_value(v).unwrap()
    }

    fn rule_names(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.rule.as_str()).collect()
    }

    #[test]
    fn valid_record_passes() {
        let v = rules().check("42", &json!({"name": "Hrnec", "price": 12.5, "stock": 3}), "Hrnec");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn each_rule_reports_its_violation() {
        let r = rules();
        assert_eq!(rule_names(&r.check("", &json!({"name": "a"}), "a")), ["key"]);
        assert_eq!(rule_names(&r.check("A-1", &json!({"name": "a"}), "a")), ["key-pattern"]);
        assert_eq!(rule_names(&r.check("1", &json!({"name": " "}), "x")), ["required"]);
        assert_eq!(rule_names(&r.check("1", &json!({}), "x")), ["required"]);
        let v = r.check("1", &json!({"name": "a", "price": "12,50", "stock": 1.5}), "a");
        assert_eq!(rule_names(&v), ["type", "type"]);
        assert!(v[0].message.contains("\"12,50\""), "{}", v[0].message);
        assert_eq!(rule_names(&r.check("1", &json!({"name": "a".repeat(11)}), "a")), ["max-length"]);
        assert_eq!(rule_names(&r.check("1", &json!({"name": "a"}), "  ")), ["empty-text"]);
        assert_eq!(rule_names(&r.check("1", &json!([1]), "a")), ["json-object"]);
    }

    #[test]
    fn missing_and_null_typed_fields_pass_the_type_rule() {
        assert!(rules().check("1", &json!({"name": "a", "price": null}), "a").is_empty());
    }

    #[test]
    fn bad_key_pattern_is_a_clear_error() {
        let e = toml_like(json!({"key_pattern": "(["})).compile().unwrap_err();
        assert!(e.contains("key_pattern"), "{e}");
    }
}
