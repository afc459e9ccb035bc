//! The plugin's configuration: a list of declarative rules.
//!
//! Parsing is strict and names the rule at fault (`rules[2]: unknown field ...`); [`Config::rules`]
//! then checks what serde cannot (patterns compile, bounds are ordered, names are unique) and
//! compiles each rule once, so that `validate` does no more than match.

use std::fmt;

use regex::Regex;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::{Map, Value};
use weir_sdk::{Error, Result};

use crate::rules::{Check, Condition, Rule, describe};

/// Whether a missing or `null` field passes a rule other than `required` and `required_if`:
/// say what a value must look like, and leave saying that it must be there to `required`.
pub const DEFAULT_ALLOW_MISSING: bool = true;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Checked in order; a record gets one violation per rule it breaks.
    pub rules: RuleList,
}

/// The configured rules, parsed one by one so that an error names the rule's index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleList(pub Vec<RuleSpec>);

/// One rule as configured: what every rule has, and its kind with the kind's own settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    pub common: Common,
    pub kind: Kind,
}

/// The keys every kind of rule takes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    /// The top-level field the rule checks.
    pub field: String,
    /// The name violations carry; `<kind>:<field>` when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// The streams the rule applies to; all when absent.
    #[serde(default)]
    pub streams: Option<Vec<String>>,
    /// Whether a missing or `null` field passes; [`DEFAULT_ALLOW_MISSING`] when absent. Not
    /// for `required` and `required_if`.
    #[serde(default)]
    pub allow_missing: Option<bool>,
}

impl Common {
    const KEYS: [&'static str; 4] = ["field", "name", "streams", "allow_missing"];
}

/// A rule's kind and the settings of that kind.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Kind {
    /// A string matching `pattern` somewhere (anchor it with `^…$` to match it whole).
    Regex { pattern: String },
    /// A number within inclusive bounds.
    Range {
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// One of the listed strings, numbers or booleans.
    OneOf { values: Vec<Value> },
    /// An EAN-8, UPC-A, EAN-13 or GTIN-14 with a correct check digit, as a string of digits.
    Ean {},
    /// Present, not `null`, not `""`.
    Required {},
    /// Present, not `null`, not `""` whenever `when` holds.
    RequiredIf { when: When },
    /// A string of at most `max` characters.
    MaxLength { max: usize },
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Self::Regex { .. } => "regex",
            Self::Range { .. } => "range",
            Self::OneOf { .. } => "one_of",
            Self::Ean {} => "ean",
            Self::Required {} => "required",
            Self::RequiredIf { .. } => "required_if",
            Self::MaxLength { .. } => "max_length",
        }
    }
}

/// The condition of a `required_if` rule: exactly one of `equals` and `present`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub field: String,
    /// `Some(Value::Null)` when the configuration says `"equals": null`, which is refused.
    #[serde(default, deserialize_with = "given")]
    pub equals: Option<Value>,
    #[serde(default)]
    pub present: Option<bool>,
}

/// Tells `"equals": null` from no `equals` at all.
fn given<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl RuleSpec {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        let Value::Object(mut keys) = value else {
            return Err(de::Error::custom(format_args!("a rule is a JSON object, not {}", describe(&value))));
        };
        // `kind` and the kind's settings go to `Kind`, the rest to `Common`; each refuses what
        // it does not know, which `#[serde(flatten)]` could not do.
        let common: Map<String, Value> = Common::KEYS.iter().filter_map(|key| keys.remove_entry(*key)).collect();
        let kind = Kind::deserialize(Value::Object(keys))?;
        let common = Common::deserialize(Value::Object(common))?;
        Ok(Self { common, kind })
    }

    /// The name violations of this rule carry.
    pub fn name(&self) -> String {
        match &self.common.name {
            Some(name) => name.clone(),
            None => format!("{}:{}", self.kind.name(), self.common.field),
        }
    }

    /// Checks the rule and compiles it.
    fn compile(&self) -> Result<Rule, String> {
        let Common { field, name, streams, allow_missing } = &self.common;
        if field.trim().is_empty() {
            return Err("`field` is empty".to_owned());
        }
        if name.as_ref().is_some_and(|n| n.trim().is_empty()) {
            return Err("`name` is empty; leave it out for the default".to_owned());
        }
        if let Some(streams) = streams {
            if streams.is_empty() {
                return Err(
                    "`streams` is empty, so the rule would never apply; leave it out for all streams".to_owned()
                );
            }
            if streams.iter().any(|s| s.trim().is_empty()) {
                return Err("`streams` lists an empty stream name".to_owned());
            }
        }
        let required = matches!(self.kind, Kind::Required {} | Kind::RequiredIf { .. });
        if required && allow_missing.is_some() {
            return Err(format!("`allow_missing` does not apply to a {} rule", self.kind.name()));
        }
        let check = match &self.kind {
            Kind::Regex { pattern } => Check::Regex(Regex::new(pattern).map_err(|e| format!("invalid pattern: {e}"))?),
            Kind::Range { min, max } => match (min, max) {
                (None, None) => return Err("a range rule needs `min`, `max` or both".to_owned()),
                (Some(min), Some(max)) if min > max => return Err(format!("`min` {min} is above `max` {max}")),
                _ => Check::Range { min: *min, max: *max },
            },
            Kind::OneOf { values } => {
                if values.is_empty() {
                    return Err("`values` is empty, so no value could pass".to_owned());
                }
                if let Some(bad) = values.iter().find(|v| !(v.is_string() || v.is_number() || v.is_boolean())) {
                    return Err(format!("`values` may hold strings, numbers and booleans, not {}", describe(bad)));
                }
                Check::OneOf(values.clone())
            }
            Kind::Ean {} => Check::Ean,
            Kind::Required {} => Check::Required,
            Kind::RequiredIf { when } => Check::RequiredIf(when.condition()?),
            Kind::MaxLength { max } => Check::MaxLength(*max),
        };
        Ok(Rule {
            name: self.name(),
            field: field.clone(),
            streams: streams.clone(),
            allow_missing: !required && allow_missing.unwrap_or(DEFAULT_ALLOW_MISSING),
            check,
        })
    }
}

impl When {
    fn condition(&self) -> Result<Condition, String> {
        let field = self.field.clone();
        if field.trim().is_empty() {
            return Err("`when.field` is empty".to_owned());
        }
        match (&self.equals, self.present) {
            (Some(Value::Null), _) => {
                Err("`when.equals` is null; to require the field when the other is missing, say `\"present\": false`"
                    .to_owned())
            }
            (Some(value), None) => Ok(Condition::Equals { field, value: value.clone() }),
            (None, Some(present)) => Ok(Condition::Present { field, present }),
            _ => Err("`when` takes exactly one of `equals` and `present`".to_owned()),
        }
    }
}

impl Config {
    /// Checks every rule and compiles it. Errors name the rule by index and name.
    pub fn rules(&self) -> Result<Vec<Rule>> {
        let specs = &self.rules.0;
        if specs.is_empty() {
            return Err(Error::config("`rules` is empty; configure at least one rule"));
        }
        let mut rules: Vec<Rule> = Vec::with_capacity(specs.len());
        for (index, spec) in specs.iter().enumerate() {
            let rule = spec
                .compile()
                .map_err(|problem| Error::config(format_args!("rules[{index}] ({}): {problem}", spec.name())))?;
            if let Some(earlier) = rules.iter().position(|r| r.name == rule.name) {
                return Err(Error::config(format_args!(
                    "rules[{index}]: the name `{}` is already taken by rules[{earlier}]; give one of them a `name`",
                    rule.name
                )));
            }
            rules.push(rule);
        }
        Ok(rules)
    }
}

impl<'de> Deserialize<'de> for RuleList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Rules;

        impl<'de> Visitor<'de> for Rules {
            type Value = RuleList;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of rules")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RuleList, A::Error> {
                let mut rules = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                // One element at a time, so that the position the parser adds to an error is just past
                // the bad rule rather than at the end of the list.
                while let Some(value) = seq.next_element::<Value>()? {
                    let index = rules.len();
                    let rule = RuleSpec::from_value(value)
                        .map_err(|e| de::Error::custom(format_args!("rules[{index}]: {e}")))?;
                    rules.push(rule);
                }
                Ok(RuleList(rules))
            }
        }

        deserializer.deserialize_seq(Rules)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn parse(json: &str) -> Result<Config> {
        weir_sdk::parse_config(json)
    }

    /// The message of the configuration error `json` gives, from parsing or from compiling.
    fn error(json: &str) -> String {
        let err = match parse(json) {
            Ok(config) => config.rules().unwrap_err(),
            Err(err) => err,
        };
        match err {
            Error::Config(message) => message,
            other => unreachable!("expected a configuration error, got {other:?}"),
        }
    }

    fn one(rule: Value) -> Rule {
        let config = parse(&json!({ "rules": [rule] }).to_string()).unwrap();
        config.rules().unwrap().pop().unwrap()
    }

    #[test]
    fn every_kind_parses_with_its_settings_and_a_derived_name() {
        let config = parse(
            r#"{"rules": [
                {"kind": "regex", "field": "code", "pattern": "^[A-Z]+$"},
                {"kind": "range", "field": "price", "min": 0, "max": 1e6},
                {"kind": "one_of", "field": "unit", "values": ["ks", 1, true]},
                {"kind": "ean", "field": "ean"},
                {"kind": "required", "field": "name"},
                {"kind": "required_if", "field": "supplier", "when": {"field": "active", "equals": true}},
                {"kind": "required_if", "field": "vat", "when": {"field": "country", "present": true}},
                {"kind": "max_length", "field": "name", "max": 120}
            ]}"#,
        )
        .unwrap();
        let rules = config.rules().unwrap();
        let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "regex:code",
                "range:price",
                "one_of:unit",
                "ean:ean",
                "required:name",
                "required_if:supplier",
                "required_if:vat",
                "max_length:name"
            ]
        );
        assert!(matches!(rules[1].check, Check::Range { min: Some(0.0), max: Some(1e6) }));
        assert!(matches!(rules[7].check, Check::MaxLength(120)));
        assert!(matches!(
            &rules[5].check,
            Check::RequiredIf(Condition::Equals { field, value }) if field == "active" && *value == json!(true)
        ));
        assert!(matches!(
            &rules[6].check,
            Check::RequiredIf(Condition::Present { field, present: true }) if field == "country"
        ));
        assert!(rules.iter().all(|r| r.streams.is_none()));
    }

    #[test]
    fn allow_missing_defaults_to_true_except_for_required_kinds() {
        assert!(one(json!({"kind": "ean", "field": "ean"})).allow_missing);
        assert!(!one(json!({"kind": "ean", "field": "ean", "allow_missing": false})).allow_missing);
        assert!(!one(json!({"kind": "required", "field": "name"})).allow_missing);
        assert!(
            !one(json!({"kind": "required_if", "field": "a", "when": {"field": "b", "present": false}})).allow_missing
        );
    }

    #[test]
    fn names_and_streams_are_taken_as_given() {
        let rule = one(json!({
            "kind": "max_length", "field": "name", "max": 5, "name": "short-names", "streams": ["products"]
        }));
        assert_eq!(rule.name, "short-names");
        assert_eq!(rule.streams, Some(vec!["products".to_owned()]));
    }

    #[test]
    fn unknown_or_misplaced_keys_are_refused_with_the_rules_index() {
        let e =
            error(r#"{"rules": [{"kind": "ean", "field": "ean"}, {"kind": "regex", "field": "c", "patern": "x"}]}"#);
        assert!(e.starts_with("invalid configuration: rules[1]: unknown field `patern`, expected `pattern`"), "{e}");
        let e = error(r#"{"rules": [{"kind": "ean", "field": "ean", "max": 3}]}"#);
        assert!(e.contains("rules[0]: unknown field `max`"), "{e}");
        let e = error(r#"{"rules": [{"kind": "range", "field": "p", "min": 0, "allow_mising": true}]}"#);
        assert!(e.contains("rules[0]: unknown field `allow_mising`"), "{e}");
        let e = error(r#"{"rules": [{"kind": "required_if", "field": "a", "when": {"field": "b", "equal": 1}}]}"#);
        assert!(e.contains("rules[0]: unknown field `equal`"), "{e}");
        let e = error(r#"{"rules": [], "strict": true}"#);
        assert!(e.contains("unknown field `strict`"), "{e}");
    }

    #[test]
    fn kinds_and_required_keys_are_checked() {
        let e = error(r#"{"rules": [{"kind": "isbn", "field": "x"}]}"#);
        assert!(e.contains("rules[0]: unknown variant `isbn`, expected one of `regex`, `range`"), "{e}");
        assert!(error(r#"{"rules": [{"field": "x"}]}"#).contains("rules[0]: missing field `kind`"));
        assert!(error(r#"{"rules": [{"kind": "ean"}]}"#).contains("rules[0]: missing field `field`"));
        assert!(error(r#"{"rules": [{"kind": "regex", "field": "x"}]}"#).contains("missing field `pattern`"));
        assert!(
            error(r#"{"rules": [{"kind": "max_length", "field": "x", "max": -1}]}"#)
                .contains("rules[0]: invalid value")
        );
        assert!(error(r#"{"rules": ["ean"]}"#).contains(r#"rules[0]: a rule is a JSON object, not string "ean""#));
        assert!(error("{}").contains("missing field `rules`"));
    }

    #[test]
    fn an_invalid_pattern_is_reported_with_the_rule() {
        let e = error(
            r#"{"rules": [{"kind": "ean", "field": "e"}, {"kind": "regex", "field": "code", "pattern": "^[A-Z"}]}"#,
        );
        assert!(e.starts_with("rules[1] (regex:code): invalid pattern: regex parse error"), "{e}");
        assert!(e.contains("unclosed character class"), "{e}");
    }

    #[test]
    fn settings_that_make_no_sense_are_refused() {
        let cases = [
            (r#"{"kind": "range", "field": "p"}"#, "rules[0] (range:p): a range rule needs `min`, `max` or both"),
            (r#"{"kind": "range", "field": "p", "min": 5, "max": 1}"#, "rules[0] (range:p): `min` 5 is above `max` 1"),
            (r#"{"kind": "one_of", "field": "u", "values": []}"#, "rules[0] (one_of:u): `values` is empty"),
            (
                r#"{"kind": "one_of", "field": "u", "values": ["ks", null]}"#,
                "rules[0] (one_of:u): `values` may hold strings, numbers and booleans, not null",
            ),
            (r#"{"kind": "one_of", "field": "u", "values": [["ks"]]}"#, "not array [\"ks\"]"),
            (r#"{"kind": "ean", "field": " "}"#, "rules[0] (ean: ): `field` is empty"),
            (r#"{"kind": "ean", "field": "e", "name": ""}"#, "rules[0] (): `name` is empty"),
            (r#"{"kind": "ean", "field": "e", "streams": []}"#, "`streams` is empty, so the rule would never apply"),
            (r#"{"kind": "ean", "field": "e", "streams": [""]}"#, "`streams` lists an empty stream name"),
            (
                r#"{"kind": "required", "field": "n", "allow_missing": true}"#,
                "rules[0] (required:n): `allow_missing` does not apply to a required rule",
            ),
            (
                r#"{"kind": "required_if", "field": "n", "when": {"field": "a", "present": true}, "allow_missing": false}"#,
                "`allow_missing` does not apply to a required_if rule",
            ),
            (
                r#"{"kind": "required_if", "field": "n", "when": {"field": "a"}}"#,
                "`when` takes exactly one of `equals` and `present`",
            ),
            (
                r#"{"kind": "required_if", "field": "n", "when": {"field": "a", "equals": 1, "present": true}}"#,
                "`when` takes exactly one of `equals` and `present`",
            ),
            (
                r#"{"kind": "required_if", "field": "n", "when": {"field": "a", "equals": null}}"#,
                "`when.equals` is null",
            ),
            (
                r#"{"kind": "required_if", "field": "n", "when": {"field": "", "present": true}}"#,
                "`when.field` is empty",
            ),
        ];
        for (rule, expected) in cases {
            let e = error(&format!(r#"{{"rules": [{rule}]}}"#));
            assert!(e.contains(expected), "{rule}: {e}");
        }
    }

    #[test]
    fn an_empty_list_and_clashing_names_are_refused() {
        assert_eq!(error(r#"{"rules": []}"#), "`rules` is empty; configure at least one rule");
        let e = error(
            r#"{"rules": [
                {"kind": "regex", "field": "code", "pattern": "^[A-Z]"},
                {"kind": "ean", "field": "ean"},
                {"kind": "regex", "field": "code", "pattern": "[0-9]$"}
            ]}"#,
        );
        assert_eq!(e, "rules[2]: the name `regex:code` is already taken by rules[0]; give one of them a `name`");
        let named = r#"{"rules": [
            {"kind": "regex", "field": "code", "pattern": "^[A-Z]"},
            {"kind": "regex", "field": "code", "pattern": "[0-9]$", "name": "code-ends-in-digit"}
        ]}"#;
        assert_eq!(parse(named).unwrap().rules().unwrap().len(), 2);
    }
}
