//! Arbitrary text as a rules-validator configuration followed by records: the first line is the
//! configuration (JSON, as the host hands it over), each further line one record's fields.
//! Parsing, checking and validating never panic, and every record gets exactly one verdict whose
//! violations name configured rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rules_validator::{Config, JSON_OBJECT_RULE, RulesValidator};
use weir_sdk::{Record, Validator};

/// Records checked when the input holds a configuration only.
const RECORDS: &[&str] = &[
    r#"{"ean": "4006381333931", "price": 12.5, "code": "AB-1", "unit": "ks", "active": true, "supplier": "ACME"}"#,
    r#"{"ean": "4006381333932", "price": "12.50", "code": "ab", "unit": "pcs", "active": true, "supplier": ""}"#,
    r#"{"name": "Konvektomat Rational iCombi Pro 6-1/1", "price": -1, "ean": 4006381333931, "note": null}"#,
    r#"{}"#,
    "[1, 2]",
    "not json",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (config, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(config) = weir_sdk::parse_config::<Config>(config) else { return };
    let names: Vec<String> = config.rules.0.iter().map(|rule| rule.name()).collect();
    let Ok(mut validator) = RulesValidator::configure(config) else { return };
    let records: Vec<Record> = if rest.is_empty() {
        RECORDS.iter().enumerate().map(|(i, fields)| Record::new(i.to_string(), *fields)).collect()
    } else {
        rest.lines().enumerate().map(|(i, fields)| Record::new(i.to_string(), fields)).collect()
    };
    for stream in ["products", "contacts"] {
        let verdicts = validator.validate(stream, &records).unwrap();
        assert_eq!(verdicts.len(), records.len(), "one verdict per record");
        for verdict in &verdicts {
            for violation in &verdict.violations {
                assert!(
                    violation.rule == JSON_OBJECT_RULE || names.contains(&violation.rule),
                    "violation of an unknown rule: {violation:?}"
                );
            }
        }
    }
});
