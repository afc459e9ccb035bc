//! Compiled rules, and how one record's fields are checked against them.

use std::fmt;

use regex::Regex;
use serde_json::{Map, Value};
use weir_sdk::Violation;

use crate::ean;

/// Offending values are quoted up to this many characters, then cut short with `…`.
pub const MAX_QUOTED_CHARS: usize = 80;

/// One rule, ready to check records: patterns compiled, names settled.
#[derive(Debug)]
pub struct Rule {
    pub name: String,
    pub field: String,
    /// The streams the rule applies to; `None` for all of them.
    pub streams: Option<Vec<String>>,
    /// Whether a missing or `null` field passes. Always false for `required` and `required_if`,
    /// which look at nothing else.
    pub allow_missing: bool,
    pub check: Check,
}

/// What a rule demands of its field's value.
#[derive(Debug)]
pub enum Check {
    Regex(Regex),
    /// Inclusive bounds; at least one is set.
    Range {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Strings, numbers and booleans; numbers compare by value (`1` is `1.0`).
    OneOf(Vec<Value>),
    Ean,
    Required,
    RequiredIf(Condition),
    /// The most characters (Unicode scalar values, not bytes) a string may have.
    MaxLength(usize),
}

/// When a `required_if` rule demands its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The other field holds this value (never `null`).
    Equals { field: String, value: Value },
    /// The other field is present and not `null` (`true`), or missing or `null` (`false`).
    Present { field: String, present: bool },
}

impl Condition {
    fn holds(&self, fields: &Map<String, Value>) -> bool {
        match self {
            Self::Equals { field, value } => fields.get(field).is_some_and(|v| same(v, value)),
            Self::Present { field, present } => fields.get(field).is_some_and(|v| !v.is_null()) == *present,
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Equals { field, value } => write!(f, "`{field}` is {}", quote(value)),
            Self::Present { field, present: true } => write!(f, "`{field}` is present"),
            Self::Present { field, present: false } => write!(f, "`{field}` is missing"),
        }
    }
}

impl Rule {
    pub fn applies_to(&self, stream: &str) -> bool {
        self.streams.as_ref().is_none_or(|streams| streams.iter().any(|s| s == stream))
    }

    /// The fields this rule looks at.
    pub fn reads(&self) -> impl Iterator<Item = &str> {
        let condition = match &self.check {
            Check::RequiredIf(Condition::Equals { field, .. } | Condition::Present { field, .. }) => {
                Some(field.as_str())
            }
            _ => None,
        };
        std::iter::once(self.field.as_str()).chain(condition)
    }

    /// The violation of this rule by a record with these fields, if any.
    pub fn check(&self, fields: &Map<String, Value>) -> Option<Violation> {
        let value = fields.get(&self.field).filter(|v| !v.is_null());
        let problem = match (&self.check, value) {
            (Check::Required, value) => blank(value).map(|why| format!("is required, but {why}")),
            (Check::RequiredIf(condition), value) if condition.holds(fields) => {
                blank(value).map(|why| format!("is required when {condition}, but {why}"))
            }
            (Check::RequiredIf(_), _) => None,
            (_, None) if self.allow_missing => None,
            (_, None) => Some(format!("must be set, but {MISSING}")),
            (check, Some(value)) => check_value(check, value),
        };
        problem.map(|message| Violation::new(&self.name, message).on_field(&self.field))
    }
}

const MISSING: &str = "it is missing or null";

/// Why a value counts as not given, if it does.
fn blank(value: Option<&Value>) -> Option<&'static str> {
    match value {
        None => Some(MISSING),
        Some(Value::String(s)) if s.is_empty() => Some("it is an empty string"),
        Some(_) => None,
    }
}

fn check_value(check: &Check, value: &Value) -> Option<String> {
    match check {
        Check::Regex(regex) => match value {
            Value::String(s) if regex.is_match(s) => None,
            Value::String(_) => Some(format!("{} does not match `{}`", quote(value), truncate(regex.as_str()))),
            _ => Some(mismatch("a string", value)),
        },
        Check::Range { min, max } => {
            let Some(n) = value.as_f64() else {
                return Some(mismatch("a number", value));
            };
            match (min, max) {
                (Some(min), _) if n < *min => Some(format!("{} is below the minimum {min}", quote(value))),
                (_, Some(max)) if n > *max => Some(format!("{} is above the maximum {max}", quote(value))),
                _ => None,
            }
        }
        Check::OneOf(allowed) => {
            if allowed.iter().any(|a| same(a, value)) {
                None
            } else {
                let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
                Some(format!("expected one of {}, got {}", truncate(&list.join(", ")), describe(value)))
            }
        }
        Check::Ean => match value {
            Value::String(s) => ean::check(s).err().map(|why| format!("{} {why}", quote(value))),
            _ => Some(mismatch("a string of digits", value)),
        },
        Check::MaxLength(max) => match value {
            Value::String(s) => {
                let length = s.chars().count();
                (length > *max).then(|| format!("{} is {length} characters long, more than {max}", quote(value)))
            }
            _ => Some(mismatch("a string", value)),
        },
        // Settled by `Rule::check` before it gets here.
        Check::Required | Check::RequiredIf(_) => None,
    }
}

/// Equal JSON values, with numbers compared by value so that `1` and `1.0` are one number.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // Integers compare exactly: large ones would collide as floats.
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn mismatch(expected: &str, value: &Value) -> String {
    format!("expected {expected}, got {}", describe(value))
}

/// A value with its JSON type, e.g. `string "12.50"`, `number 7`, `array [1,2]`.
pub fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    format!("{kind} {}", quote(value))
}

/// A value as JSON text (strings in quotes), cut short after [`MAX_QUOTED_CHARS`] characters.
pub fn quote(value: &Value) -> String {
    truncate(&value.to_string())
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn rule(check: Check) -> Rule {
        Rule { name: "r".to_owned(), field: "f".to_owned(), streams: None, allow_missing: true, check }
    }

    fn fields(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => unreachable!("test fields must be an object, not {other}"),
        }
    }

    /// The message of the violation `rule` finds in `{"f": value}`, or `None` when it passes.
    fn message(rule: &Rule, value: Value) -> Option<String> {
        let violation = rule.check(&fields(json!({ "f": value })))?;
        assert_eq!((violation.rule.as_str(), violation.field.as_deref()), ("r", Some("f")));
        Some(violation.message)
    }

    #[test]
    fn regex_matches_strings_and_refuses_other_types() {
        let r = rule(Check::Regex(Regex::new("^[A-Z0-9-]{3,20}$").unwrap()));
        assert_eq!(message(&r, json!("AB-12")), None);
        assert_eq!(message(&r, json!("ab")).unwrap(), r#""ab" does not match `^[A-Z0-9-]{3,20}$`"#);
        assert_eq!(message(&r, json!(123)).unwrap(), "expected a string, got number 123");
        // Unicode classes work: Czech letters are word characters.
        let words = rule(Check::Regex(Regex::new(r"^\w+$").unwrap()));
        assert_eq!(message(&words, json!("Žluťoučký")), None);
    }

    #[test]
    fn range_bounds_are_inclusive_and_numeric_strings_are_a_type_mismatch() {
        let r = rule(Check::Range { min: Some(0.0), max: Some(100.0) });
        for ok in [json!(0), json!(100), json!(0.0), json!(99.99), json!(42)] {
            assert_eq!(message(&r, ok.clone()), None, "{ok}");
        }
        assert_eq!(message(&r, json!(-0.01)).unwrap(), "-0.01 is below the minimum 0");
        assert_eq!(message(&r, json!(101)).unwrap(), "101 is above the maximum 100");
        assert_eq!(message(&r, json!("12.50")).unwrap(), r#"expected a number, got string "12.50""#);
        assert_eq!(message(&r, json!(true)).unwrap(), "expected a number, got boolean true");
        let only_min = rule(Check::Range { min: Some(0.5), max: None });
        assert_eq!(message(&only_min, json!(1e300)), None);
        assert_eq!(message(&only_min, json!(0.25)).unwrap(), "0.25 is below the minimum 0.5");
    }

    #[test]
    fn one_of_compares_by_value_and_type() {
        let r = rule(Check::OneOf(vec![json!("ks"), json!("kg"), json!(1), json!(false)]));
        for ok in [json!("ks"), json!("kg"), json!(1), json!(1.0), json!(false)] {
            assert_eq!(message(&r, ok.clone()), None, "{ok}");
        }
        assert_eq!(message(&r, json!("KS")).unwrap(), r#"expected one of "ks", "kg", 1, false, got string "KS""#);
        // "1" is a string, not the number 1.
        assert_eq!(message(&r, json!("1")).unwrap(), r#"expected one of "ks", "kg", 1, false, got string "1""#);
        assert!(message(&r, json!([1])).unwrap().ends_with("got array [1]"));
        assert!(message(&r, json!(true)).is_some());
    }

    #[test]
    fn large_integers_are_not_rounded_into_each_other() {
        assert!(!same(&json!(9_007_199_254_740_993_u64), &json!(9_007_199_254_740_992_u64)));
        assert!(same(&json!(-3), &json!(-3.0)));
        assert!(!same(&json!(-3), &json!(3)));
    }

    #[test]
    fn ean_wants_a_string_of_digits_with_the_right_check_digit() {
        let r = rule(Check::Ean);
        assert_eq!(message(&r, json!("4006381333931")), None);
        assert_eq!(message(&r, json!("96385074")), None);
        assert_eq!(
            message(&r, json!("4006381333932")).unwrap(),
            r#""4006381333932" has check digit 2, but its digits call for 1"#
        );
        assert!(message(&r, json!("123")).unwrap().contains("has 3 characters"));
        assert!(message(&r, json!("40063813 3931")).unwrap().contains("not a digit"));
        // A number has lost any leading zero, so it is refused rather than guessed at.
        assert_eq!(
            message(&r, json!(4006381333931_u64)).unwrap(),
            "expected a string of digits, got number 4006381333931"
        );
    }

    #[test]
    fn max_length_counts_characters_not_bytes() {
        let r = rule(Check::MaxLength(5));
        assert_eq!(message(&r, json!("ščřžý")), None);
        assert_eq!(message(&r, json!("")), None);
        assert_eq!(message(&r, json!("šestka")).unwrap(), r#""šestka" is 6 characters long, more than 5"#);
        assert_eq!(message(&r, json!(12345)).unwrap(), "expected a string, got number 12345");
    }

    #[test]
    fn required_refuses_missing_null_and_empty_strings_only() {
        let r = Rule { allow_missing: false, ..rule(Check::Required) };
        assert_eq!(r.check(&fields(json!({}))).unwrap().message, "is required, but it is missing or null");
        assert_eq!(message(&r, Value::Null).unwrap(), "is required, but it is missing or null");
        assert_eq!(message(&r, json!("")).unwrap(), "is required, but it is an empty string");
        for ok in [json!(" "), json!(0), json!(false), json!([]), json!("x")] {
            assert_eq!(message(&r, ok.clone()), None, "{ok}");
        }
    }

    #[test]
    fn required_if_applies_only_while_its_condition_holds() {
        let when_active = Condition::Equals { field: "active".to_owned(), value: json!(true) };
        let r = Rule { allow_missing: false, ..rule(Check::RequiredIf(when_active)) };
        let check = |value: Value| r.check(&fields(value)).map(|v| v.message);
        assert_eq!(check(json!({"active": true, "f": "ACME"})), None);
        assert_eq!(check(json!({"active": false})), None);
        assert_eq!(check(json!({"active": "true"})), None);
        assert_eq!(check(json!({})), None);
        assert_eq!(
            check(json!({"active": true})).unwrap(),
            "is required when `active` is true, but it is missing or null"
        );
        assert_eq!(
            check(json!({"active": true, "f": ""})).unwrap(),
            "is required when `active` is true, but it is an empty string"
        );

        let when_shipped = Condition::Present { field: "shipped_at".to_owned(), present: true };
        let r = Rule { allow_missing: false, ..rule(Check::RequiredIf(when_shipped)) };
        assert!(r.check(&fields(json!({"shipped_at": "2024-05-01"}))).is_some());
        assert!(r.check(&fields(json!({"shipped_at": null}))).is_none());
        assert!(r.check(&fields(json!({"shipped_at": "2024-05-01", "f": 1}))).is_none());

        let when_absent = Condition::Present { field: "email".to_owned(), present: false };
        let r = Rule { allow_missing: false, ..rule(Check::RequiredIf(when_absent)) };
        assert_eq!(
            r.check(&fields(json!({"email": null}))).unwrap().message,
            "is required when `email` is missing, but it is missing or null"
        );
        assert!(r.check(&fields(json!({"email": "a@b.cz"}))).is_none());
    }

    #[test]
    fn missing_fields_pass_unless_the_rule_says_otherwise() {
        let lenient = rule(Check::Ean);
        assert!(lenient.check(&fields(json!({}))).is_none());
        assert!(lenient.check(&fields(json!({"f": null}))).is_none());
        let strict = Rule { allow_missing: false, ..rule(Check::Ean) };
        assert_eq!(strict.check(&fields(json!({}))).unwrap().message, "must be set, but it is missing or null");
        assert!(strict.check(&fields(json!({"f": null}))).is_some());
    }

    #[test]
    fn streams_restrict_where_a_rule_applies() {
        let everywhere = rule(Check::Ean);
        assert!(everywhere.applies_to("products") && everywhere.applies_to("anything"));
        let products = Rule { streams: Some(vec!["products".to_owned(), "offers".to_owned()]), ..rule(Check::Ean) };
        assert!(products.applies_to("products") && products.applies_to("offers"));
        assert!(!products.applies_to("contacts") && !products.applies_to("Products"));
    }

    #[test]
    fn long_values_are_quoted_short() {
        let r = rule(Check::MaxLength(10));
        let long = "ž".repeat(200);
        let text = message(&r, json!(long)).unwrap();
        let quoted = text.split(" is 200 characters").next().unwrap();
        // The opening quote and 79 characters, then the ellipsis.
        assert_eq!(quoted.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(quoted.starts_with("\"žž") && quoted.ends_with("ž…"));
        assert_eq!(truncate("short"), "short");
        assert_eq!(truncate(&"x".repeat(MAX_QUOTED_CHARS)), "x".repeat(MAX_QUOTED_CHARS));
    }
}
