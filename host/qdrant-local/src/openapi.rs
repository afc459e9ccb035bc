//! Validates request and response bodies against Qdrant's own OpenAPI description, so tests can
//! prove that qdrant-local (or a client's requests) match real Qdrant's shapes.
//!
//! ```no_run
//! # fn demo() -> Result<(), qdrant_local::openapi::OpenApiError> {
//! use qdrant_local::openapi::Validator;
//! let v = Validator::load("qdrant-openapi.json")?;
//! let body = serde_json::json!({"result": true, "status": "ok", "time": 0.001});
//! v.validate_response("PUT", "/collections/{collection_name}", 200, &body)?;
//! # Ok(()) }
//! ```
//!
//! OpenAPI 3.0 schemas are not quite JSON Schema: `nullable: true` is rewritten to JSON
//! Schema's `null` type (Qdrant's generator writes "or null" as `anyOf: [X, {nullable: true}]`),
//! and every schema is compiled with the spec's `components` embedded at its root so that
//! `$ref: "#/components/schemas/…"` resolves. Formats (`uint64`, `float`, …) are not checked.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

/// Qdrant's OpenAPI description (v1.19.0) as shipped with this crate, for tests that validate
/// against it (the path of this crate's source tree at build time).
pub const QDRANT_OPENAPI_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/qdrant-openapi-v1.19.0.json");

/// Why a body did not validate, or the spec could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenApiError {
    /// The spec file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// The spec is not JSON or not an OpenAPI document.
    #[error("bad OpenAPI document: {0}")]
    Spec(String),
    /// No such path, method, or status in the spec.
    #[error("{0}")]
    NotInSpec(String),
    /// The body does not match the schema.
    #[error("{context}: {} schema violation(s): {}", errors.len(), errors.join("; "))]
    Invalid {
        /// Method, path and status checked.
        context: String,
        /// One line per violation: where and what.
        errors: Vec<String>,
    },
}

/// A loaded OpenAPI document with compiled schemas cached per operation.
pub struct Validator {
    spec: Value,
    components: Value,
    cache: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator").finish_non_exhaustive()
    }
}

/// Rewrites OpenAPI 3.0 `nullable` into JSON Schema, in place, everywhere below `v`.
fn denullify(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(denullify),
        Value::Object(o) => {
            for child in o.values_mut() {
                denullify(child);
            }
            if o.remove("nullable") != Some(Value::Bool(true)) {
                return;
            }
            if let Some(Value::String(t)) = o.get("type").cloned() {
                o.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(e)) = o.get_mut("enum") {
                    e.push(Value::Null);
                }
            } else if let Some(Value::Array(alts)) = o.get_mut("anyOf") {
                alts.push(json!({ "type": "null" }));
            } else if let Some(Value::Array(alts)) = o.get_mut("oneOf") {
                alts.push(json!({ "type": "null" }));
            } else if o.contains_key("$ref") {
                let r = o.remove("$ref").unwrap_or(Value::Null);
                o.insert("anyOf".into(), json!([{ "$ref": r }, { "type": "null" }]));
            } else {
                // `{nullable: true}` alone: Qdrant's way of saying "or null".
                o.insert("type".into(), json!("null"));
            }
        }
        _ => {}
    }
}

fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

impl Validator {
    /// Loads an OpenAPI JSON document (e.g. Qdrant's `openapi.json`).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, OpenApiError> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|source| OpenApiError::Io { path: path.display().to_string(), source })?;
        let spec: Value = serde_json::from_slice(&bytes).map_err(|e| OpenApiError::Spec(e.to_string()))?;
        Self::from_spec(spec)
    }

    /// Uses an already parsed OpenAPI document.
    pub fn from_spec(spec: Value) -> Result<Self, OpenApiError> {
        let mut components =
            spec.get("components").cloned().ok_or_else(|| OpenApiError::Spec("no `components`".into()))?;
        if spec.get("paths").and_then(Value::as_object).is_none() {
            return Err(OpenApiError::Spec("no `paths`".into()));
        }
        denullify(&mut components);
        Ok(Self { spec, components, cache: Mutex::new(HashMap::new()) })
    }

    fn operation(&self, method: &str, path: &str) -> Result<&Value, OpenApiError> {
        let m = method.to_ascii_lowercase();
        self.spec
            .pointer(&format!("/paths/{}/{m}", pointer_escape(path)))
            .ok_or_else(|| OpenApiError::NotInSpec(format!("{method} {path} is not in the spec")))
    }

    /// Schema of a content map: JSON first, then whatever else is documented.
    fn content_schema(content: Option<&Value>) -> Option<&Value> {
        let content = content?.as_object()?;
        content.get("application/json").or_else(|| content.values().next()).and_then(|c| c.get("schema"))
    }

    fn compiled(&self, key: String, schema: &Value) -> Result<Arc<jsonschema::Validator>, OpenApiError> {
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(v) = cache.get(&key) {
            return Ok(v.clone());
        }
        let mut root = schema.clone();
        denullify(&mut root);
        let root = match root {
            Value::Object(mut o) => {
                o.insert("components".into(), self.components.clone());
                Value::Object(o)
            }
            other => {
                let mut o = Map::new();
                o.insert("allOf".into(), json!([other]));
                o.insert("components".into(), self.components.clone());
                Value::Object(o)
            }
        };
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(false)
            .build(&root)
            .map_err(|e| OpenApiError::Spec(format!("{key}: {e}")))?;
        let v = Arc::new(v);
        cache.insert(key, v.clone());
        Ok(v)
    }

    fn check(&self, key: String, schema: &Value, body: &Value) -> Result<(), OpenApiError> {
        let v = self.compiled(key.clone(), schema)?;
        let errors: Vec<String> = v.iter_errors(body).map(|e| format!("at `{}`: {e}", e.instance_path)).collect();
        if errors.is_empty() { Ok(()) } else { Err(OpenApiError::Invalid { context: key, errors }) }
    }

    /// Checks a request body of `method path_template` (e.g. `"POST"`,
    /// `"/collections/{collection_name}/points/query"`).
    pub fn validate_request(&self, method: &str, path_template: &str, body: &Value) -> Result<(), OpenApiError> {
        let op = self.operation(method, path_template)?;
        let schema = Self::content_schema(op.pointer("/requestBody/content"))
            .ok_or_else(|| OpenApiError::NotInSpec(format!("{method} {path_template} documents no request body")))?;
        self.check(format!("{method} {path_template} request"), schema, body)
    }

    /// Checks a response body; `status` is matched exactly, then as `4XX`-style, then `default`.
    /// A text response (e.g. `/healthz`) is passed as a JSON string.
    pub fn validate_response(
        &self,
        method: &str,
        path_template: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), OpenApiError> {
        let op = self.operation(method, path_template)?;
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| OpenApiError::NotInSpec(format!("{method} {path_template} documents no responses")))?;
        let exact = status.to_string();
        let class = format!("{}XX", status / 100);
        let (code, resp) = [exact.as_str(), class.as_str(), "default"]
            .into_iter()
            .find_map(|k| responses.get(k).map(|r| (k, r)))
            .ok_or_else(|| {
                OpenApiError::NotInSpec(format!("{method} {path_template} documents no response for status {status}"))
            })?;
        match Self::content_schema(resp.get("content")) {
            Some(schema) => self.check(format!("{method} {path_template} response {code}"), schema, body),
            // Documented without a body schema: nothing to check.
            None => Ok(()),
        }
    }
}
