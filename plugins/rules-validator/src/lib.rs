//! weir's rules validator: checks records against declarative rules from its configuration.
//! It is also the example to copy for a validator of your own: it uses nothing but `weir-sdk`.
//!
//! ```json
//! {"rules": [
//!   {"kind": "ean", "field": "ean"},
//!   {"kind": "range", "field": "price", "min": 0},
//!   {"kind": "regex", "field": "code", "pattern": "^[A-Z0-9-]{3,20}$"},
//!   {"kind": "one_of", "field": "unit", "values": ["ks", "kg", "l", "bal"]},
//!   {"kind": "required_if", "field": "supplier", "when": {"field": "active", "equals": true}}
//! ]}
//! ```
//!
//! | `kind`        | settings                        | the field must be                                        |
//! |---------------|---------------------------------|----------------------------------------------------------|
//! | `regex`       | `pattern`                       | a string the pattern matches (anchor it with `^…$`)      |
//! | `range`       | `min`, `max` (one or both)      | a number within the inclusive bounds                     |
//! | `one_of`      | `values`                        | one of the strings, numbers or booleans listed           |
//! | `ean`         |                                 | a string of 8, 12, 13 or 14 digits with a valid check digit |
//! | `required`    |                                 | present, not `null`, not `""`                            |
//! | `required_if` | `when`                          | present, not `null`, not `""` while `when` holds         |
//! | `max_length`  | `max`                           | a string of at most `max` characters                     |
//!
//! Every rule takes `field` (a top-level field of the record), and optionally `name` (what its
//! violations are called; `<kind>:<field>` by default), `streams` (the streams it applies to;
//! all by default) and `allow_missing` (whether a missing or `null` field passes; true by
//! default, not taken by `required` and `required_if`). `when` is `{"field": …, "equals": …}`
//! or `{"field": …, "present": true|false}`.
//!
//! Types are never converted: `"12.50"` fails a `range` rule with "expected a number, got
//! string \"12.50\"", and an EAN given as a number fails too (it may have lost a leading zero).
//! A record gets one violation per rule it breaks, each naming the rule, the field and the
//! offending value (cut after [`MAX_QUOTED_CHARS`] characters). A record whose fields are
//! not a JSON object breaks the rule `json-object` and no other.

mod config;
mod ean;
mod fields;
mod rules;

use weir_sdk::{Record, Result, Validator, Verdict, Violation};

pub use crate::config::{Config, DEFAULT_ALLOW_MISSING};
pub use crate::rules::MAX_QUOTED_CHARS;
use crate::rules::Rule;

/// The rule a record breaks when its fields are not a JSON object.
pub const JSON_OBJECT_RULE: &str = "json-object";

pub struct RulesValidator {
    rules: Vec<Rule>,
}

impl Validator for RulesValidator {
    type Config = Config;

    fn configure(config: Config) -> Result<Self> {
        Ok(Self { rules: config.rules()? })
    }

    fn validate(&mut self, stream: &str, records: &[Record]) -> Result<Vec<Verdict>> {
        let rules: Vec<&Rule> = self.rules.iter().filter(|r| r.applies_to(stream)).collect();
        let mut wanted: Vec<&str> = rules.iter().flat_map(|r| r.reads()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        Ok(records.iter().map(|record| verdict(&rules, &wanted, &record.fields)).collect())
    }
}

fn verdict(rules: &[&Rule], wanted: &[&str], json: &str) -> Verdict {
    match fields::read(json, wanted) {
        Ok(fields) => Verdict::invalid(rules.iter().filter_map(|rule| rule.check(&fields)).collect()),
        Err(message) => Verdict::invalid(vec![Violation::new(JSON_OBJECT_RULE, message)]),
    }
}

weir_sdk::export_validator!(RulesValidator);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn validator(config: &str) -> RulesValidator {
        RulesValidator::configure(weir_sdk::parse_config(config).unwrap()).unwrap()
    }

    /// The `(rule, field)` pairs of each record's violations, in order.
    fn broken(verdicts: &[Verdict]) -> Vec<Vec<(String, Option<String>)>> {
        verdicts.iter().map(|v| v.violations.iter().map(|x| (x.rule.clone(), x.field.clone())).collect()).collect()
    }

    fn pair(rule: &str, field: &str) -> (String, Option<String>) {
        (rule.to_owned(), Some(field.to_owned()))
    }

    /// The ```json blocks of a Markdown text.
    fn json_blocks(markdown: &str) -> Vec<&str> {
        markdown.split("```json").skip(1).filter_map(|rest| rest.split("```").next()).collect()
    }

    #[test]
    fn every_shipped_example_configures() {
        let readme = include_str!("../README.md");
        let blocks = json_blocks(readme);
        assert!(blocks.len() >= 2, "README.md shows its examples in ```json blocks");
        for block in blocks {
            let config: Config = weir_sdk::parse_config(block).unwrap();
            assert!(!RulesValidator::configure(config).unwrap().rules.is_empty());
        }
        // The crate documentation's example is the README's first.
        let crate_doc: String = include_str!("lib.rs")
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                let l = l.trim_start_matches("//!");
                l.strip_prefix(' ').unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(json_blocks(&crate_doc)[0].trim(), json_blocks(readme)[0].trim());
    }

    #[test]
    fn the_documented_example_finds_what_it_promises() {
        let mut v = validator(json_blocks(include_str!("../README.md"))[0]);
        let records = [
            Record::new(
                "ok",
                r#"{"ean": "4006381333931", "price": 12.5, "code": "AB-1", "unit": "ks", "active": true, "supplier": "ACME"}"#,
            ),
            Record::new("sparse", r#"{"active": false}"#),
            Record::new(
                "bad",
                r#"{"ean": "4006381333932", "price": "12.50", "code": "ab", "unit": "pcs", "active": true, "supplier": ""}"#,
            ),
            Record::new("negative", r#"{"price": -1, "active": true, "supplier": "ACME"}"#),
        ];
        let verdicts = v.validate("products", &records).unwrap();
        assert_eq!(
            broken(&verdicts),
            [
                vec![],
                vec![],
                vec![
                    pair("ean:ean", "ean"),
                    pair("range:price", "price"),
                    pair("regex:code", "code"),
                    pair("one_of:unit", "unit"),
                    pair("required_if:supplier", "supplier"),
                ],
                vec![pair("range:price", "price")],
            ]
        );
        let messages: Vec<&str> = verdicts[2].violations.iter().map(|x| x.message.as_str()).collect();
        assert_eq!(messages[1], r#"expected a number, got string "12.50""#);
        assert!(messages[0].contains("\"4006381333932\""), "{}", messages[0]);
        assert!(messages[3].contains("\"pcs\""), "{}", messages[3]);
        assert_eq!(verdicts[3].violations[0].message, "-1 is below the minimum 0");
    }

    #[test]
    fn one_verdict_per_record_in_order_including_non_objects() {
        let mut v = validator(r#"{"rules": [{"kind": "required", "field": "name"}]}"#);
        let records = [
            Record::new("a", r#"{"name": "x"}"#),
            Record::new("b", "[1, 2]"),
            Record::new("c", r#"{}"#),
            Record::new("d", "not json"),
            Record::new("e", r#"{"name": "y"}"#),
            Record::new("f", "null"),
        ];
        let verdicts = v.validate("s", &records).unwrap();
        assert_eq!(
            broken(&verdicts),
            [
                vec![],
                vec![(JSON_OBJECT_RULE.to_owned(), None)],
                vec![pair("required:name", "name")],
                vec![(JSON_OBJECT_RULE.to_owned(), None)],
                vec![],
                vec![(JSON_OBJECT_RULE.to_owned(), None)],
            ]
        );
        assert_eq!(verdicts[1].violations[0].message, "fields must be a JSON object, got array [1,2]");
        assert!(verdicts[3].violations[0].message.starts_with("fields are not valid JSON: expected"));
        assert!(v.validate("s", &[]).unwrap().is_empty());
    }

    #[test]
    fn rules_apply_only_to_their_streams() {
        let mut v = validator(
            r#"{"rules": [
                {"kind": "ean", "field": "ean", "streams": ["products"], "allow_missing": false},
                {"kind": "required", "field": "email", "streams": ["contacts", "companies"]},
                {"kind": "max_length", "field": "note", "max": 3}
            ]}"#,
        );
        let record = [Record::new("k", r#"{"note": "long"}"#)];
        let rules_broken = |v: &mut RulesValidator, stream: &str| broken(&v.validate(stream, &record).unwrap());
        assert_eq!(rules_broken(&mut v, "products"), [vec![pair("ean:ean", "ean"), pair("max_length:note", "note")]]);
        assert_eq!(
            rules_broken(&mut v, "contacts"),
            [vec![pair("required:email", "email"), pair("max_length:note", "note")]]
        );
        assert_eq!(
            rules_broken(&mut v, "companies"),
            [vec![pair("required:email", "email"), pair("max_length:note", "note")]]
        );
        assert_eq!(rules_broken(&mut v, "offers"), [vec![pair("max_length:note", "note")]]);
    }

    #[test]
    fn configuration_errors_surface_from_configure() {
        let config: Config =
            weir_sdk::parse_config(r#"{"rules": [{"kind": "regex", "field": "code", "pattern": "(unclosed"}]}"#)
                .unwrap();
        let err = RulesValidator::configure(config).err().unwrap();
        assert!(
            matches!(&err, weir_sdk::Error::Config(m) if m.starts_with("rules[0] (regex:code): invalid pattern")),
            "{err}"
        );
        assert!(!err.is_retryable());
    }
}
