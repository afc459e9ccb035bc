//! The text a record is embedded as, rendered from its fields by a per-pipeline template.
//!
//! A template is text with `{field}` placeholders (`{supplier.name}` reaches into objects;
//! `{{` and `}}` are literal braces), e.g. `{name} · {category} · {supplier} · {description}`.
//! Each placeholder owns the literal text just before it (its separator or label), so an empty
//! or missing field drops out together with its separator: `{name} · {brand}` renders a
//! record without a brand as just the name, never `Hrnec · `.

use std::fmt;

use serde_json::Value;

/// A parsed text template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    /// Literal before the first placeholder (kept whenever anything renders).
    prefix: String,
    /// `(literal before, field path)` for each placeholder after the first; the first has none.
    parts: Vec<(String, Vec<String>)>,
    /// Literal after the last placeholder.
    suffix: String,
}

/// Why a template does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("text template `{template}`: {reason}")]
pub struct TemplateError {
    template: String,
    reason: String,
}

/// Characters trimmed from the owned literal of a placeholder that renders first because
/// the ones before it were empty (a separator must not start the text).
const SEPARATOR_CHARS: &[char] = &[' ', '·', ',', ';', '|', '-', '–', '—', '/', '\n', '\t', '•'];

impl Template {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let err = |reason: String| TemplateError { template: source.to_owned(), reason };
        let mut literals = vec![String::new()];
        let mut fields: Vec<Vec<String>> = Vec::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    if let Some(l) = literals.last_mut() {
                        l.push('{');
                    }
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    if let Some(l) = literals.last_mut() {
                        l.push('}');
                    }
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => return Err(err("a `{` is not closed by `}`".into())),
                            Some(c) => name.push(c),
                        }
                    }
                    let name = name.trim();
                    if name.is_empty() {
                        return Err(err("an empty placeholder `{}`".into()));
                    }
                    let path: Vec<String> = name.split('.').map(str::to_owned).collect();
                    if path.iter().any(String::is_empty) {
                        return Err(err(format!("`{{{name}}}` is not a field path")));
                    }
                    fields.push(path);
                    literals.push(String::new());
                }
                '}' => return Err(err("a lone `}` (write `}}` for a literal brace)".into())),
                c => {
                    if let Some(l) = literals.last_mut() {
                        l.push(c);
                    }
                }
            }
        }
        if fields.is_empty() {
            return Err(err("it names no field; write e.g. `{name} · {description}`".into()));
        }
        let suffix = literals.pop().unwrap_or_default();
        let mut literals = literals.into_iter();
        let prefix = literals.next().unwrap_or_default();
        let parts = std::iter::once(String::new()).chain(literals).zip(fields).collect();
        Ok(Self { source: source.to_owned(), prefix, parts, suffix })
    }

    /// The fields the template reads (top-level names).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|(_, p)| p.first().map(String::as_str))
    }

    /// Renders `fields` (a JSON object). Returns an empty string when every placeholder is
    /// empty, whatever the literals say: such a record has nothing to embed.
    pub fn render(&self, fields: &Value) -> String {
        let mut body = String::new();
        for (i, (owned, path)) in self.parts.iter().enumerate() {
            let value = lookup(fields, path).map(text_of).unwrap_or_default();
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            if body.is_empty() {
                if i > 0 {
                    body.push_str(owned.trim_start_matches(SEPARATOR_CHARS));
                }
            } else {
                body.push_str(owned);
            }
            body.push_str(value);
        }
        if body.is_empty() {
            return body;
        }
        format!("{}{body}{}", self.prefix, self.suffix)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn lookup<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// The text of a JSON value: strings as they are, numbers and booleans printed, arrays
/// joined with `, `, objects as their string values joined; null is empty.
fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            items.iter().map(text_of).filter(|s| !s.trim().is_empty()).collect::<Vec<_>>().join(", ")
        }
        Value::Object(map) => map.values().map(text_of).filter(|s| !s.trim().is_empty()).collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_fields_with_separators() {
        let t = Template::parse("{name} · {category} · {brand}").unwrap();
        let r = json!({"name": "Kuřecí prsa", "category": "Maso", "brand": "Vodňanské"});
        assert_eq!(t.render(&r), "Kuřecí prsa · Maso · Vodňanské");
        assert_eq!(t.fields().collect::<Vec<_>>(), ["name", "category", "brand"]);
    }

    #[test]
    fn empty_fields_drop_with_their_separator() {
        let t = Template::parse("{name} · {category} · {brand}").unwrap();
        assert_eq!(t.render(&json!({"name": "Hrnec", "category": "", "brand": null})), "Hrnec");
        assert_eq!(t.render(&json!({"category": "Nádobí", "brand": "Tescoma"})), "Nádobí · Tescoma");
        assert_eq!(t.render(&json!({"other": 1})), "");
    }

    #[test]
    fn labels_prefix_suffix_and_types() {
        let t = Template::parse("Produkt: {name}\nCena: {price} Kč\nTagy: {tags}.").unwrap();
        let r = json!({"name": " Konvektomat ", "price": 125000.5, "tags": ["gastro", "", "pára"]});
        assert_eq!(t.render(&r), "Produkt: Konvektomat\nCena: 125000.5 Kč\nTagy: gastro, pára.");
        // The first label is the template's prefix and stays; a later label whose field
        // renders first keeps its words but loses the leading newline. Text after a
        // placeholder belongs to the next one (here ` Kč`), so it goes with it.
        assert_eq!(t.render(&json!({"price": 10})), "Produkt: Cena: 10.");
    }

    #[test]
    fn nested_paths_and_escapes() {
        let t = Template::parse("{{{name}}} by {supplier.name}").unwrap();
        assert_eq!(t.render(&json!({"name": "x", "supplier": {"name": "Makro"}})), "{x} by Makro");
    }

    #[test]
    fn bad_templates_are_refused_with_a_reason() {
        for (bad, why) in [
            ("{name", "not closed"),
            ("name}", "lone"),
            ("{}", "empty placeholder"),
            ("no fields", "names no field"),
            ("{a..b}", "not a field path"),
        ] {
            let e = Template::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
