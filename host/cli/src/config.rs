//! `weir.toml`: what a user writes. Read with `${ENV_VAR}` references expanded, then
//! overridden by `WEIR_SECTION__KEY=value` environment variables and `--set key=value`.
//! Every error names the file, and the line and key where the parser knows them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use weir_engine::PipelineSettings;

/// The whole file.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Run-wide settings.
    #[serde(default)]
    pub sync: SyncConfig,
    /// The embedding provider.
    pub embedding: EmbeddingConfig,
    /// Source connectors by name.
    #[serde(default)]
    pub sources: BTreeMap<String, PluginConfig>,
    /// Sink connectors by name.
    #[serde(default)]
    pub sinks: BTreeMap<String, SinkConfig>,
    /// Validator plugins by name.
    #[serde(default)]
    pub validators: BTreeMap<String, PluginConfig>,
    /// Pipelines by name.
    #[serde(default)]
    pub pipelines: BTreeMap<String, PipelineConfig>,
}

/// `[sync]`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncConfig {
    /// The state directory (ledger, checkpoints, cache, logs), relative to the config file.
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
    /// Where plugins named without a path are found (default: the bundled plugins).
    #[serde(default)]
    pub plugin_dir: Option<PathBuf>,
    /// The mode `weir run` uses when none is given.
    #[serde(default = "default_mode")]
    pub mode: weir_engine::Mode,
    /// Pipelines `weir run` runs at once, and `weir daemon` when their schedules coincide.
    /// They share each source's `max_requests_in_flight` and the embedder's limits; each keeps
    /// its own checkpoint and report.
    #[serde(default = "default_parallel_pipelines")]
    pub parallel_pipelines: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            state_dir: default_state_dir(),
            plugin_dir: None,
            mode: default_mode(),
            parallel_pipelines: default_parallel_pipelines(),
        }
    }
}

fn default_parallel_pipelines() -> usize {
    4
}

fn default_state_dir() -> PathBuf {
    PathBuf::from(".weir")
}
fn default_mode() -> weir_engine::Mode {
    weir_engine::Mode::Incremental
}

/// `[embedding]`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EmbeddingConfig {
    /// `local`, `openai` or `hash`.
    pub provider: Provider,
    /// local: `multilingual-e5-small` (default) or `all-MiniLM-L6-v2`; openai: the model name.
    #[serde(default)]
    pub model: Option<String>,
    /// Vector length (openai: sent as `dimensions` when set; hash: default 256).
    #[serde(default)]
    pub dimensions: Option<u32>,
    /// openai: the endpoint (OpenAI, Azure, vLLM, Ollama, TEI).
    #[serde(default)]
    pub base_url: Option<String>,
    /// openai: the API key, usually `${OPENAI_API_KEY}`.
    #[serde(default)]
    pub api_key: Option<String>,
    /// openai: requests per minute.
    #[serde(default)]
    pub requests_per_minute: Option<u64>,
    /// openai: tokens per minute.
    #[serde(default)]
    pub tokens_per_minute: Option<u64>,
    /// openai: concurrent requests.
    #[serde(default)]
    pub max_concurrency: Option<usize>,
    /// openai: price per million tokens, for cost reports.
    #[serde(default)]
    pub usd_per_million_tokens: Option<f64>,
    /// local: inference threads.
    #[serde(default)]
    pub threads: Option<usize>,
    /// local: texts per inference batch.
    #[serde(default)]
    pub batch_size: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Provider {
    Local,
    Openai,
    Hash,
}

/// A source or validator plugin.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PluginConfig {
    /// A bundled plugin's name (`bluejet-source`) or a path to a `.wasm` file.
    pub plugin: String,
    /// The plugin's own configuration.
    #[serde(default)]
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub config: toml::Table,
    /// Hosts the plugin may reach (`https://acme.bluejet.cz`). Default: the origin of the
    /// configuration's `base_url` or `url`.
    #[serde(default)]
    pub allow: Option<Vec<String>>,
    /// Secrets by name, usually `${ENV_VAR}` references.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// Directories by the name the plugin's manifest asks for (`exports = "/srv/erp-export"`),
    /// relative to this file; mounted read-only.
    #[serde(default)]
    pub dirs: BTreeMap<String, PathBuf>,
    /// Sources: the most requests the source has in flight at once, across all of its
    /// instances (the partitions a run reads at once, every pipeline that reads it); default
    /// 8. A `429` or a `Retry-After` from its server holds all of them back.
    #[serde(default)]
    pub max_requests_in_flight: Option<usize>,
}

/// A sink plugin; `embedded = true` starts the built-in Qdrant-compatible store.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SinkConfig {
    /// As for sources.
    pub plugin: String,
    /// The plugin's configuration (`url` is filled in for an embedded store).
    #[serde(default)]
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub config: toml::Table,
    /// As for sources.
    #[serde(default)]
    pub allow: Option<Vec<String>>,
    /// As for sources.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// Run the embedded store (storage under the state directory) instead of a server.
    #[serde(default)]
    pub embedded: bool,
    /// Embedded store: sync every update's journal record to disk before acknowledging it
    /// (default), so not even a crash of the machine loses what the ledger recorded. `false`:
    /// a crash of weir still loses nothing, a crash of the machine may; a little faster.
    #[serde(default = "yes")]
    pub durable: bool,
}

fn yes() -> bool {
    true
}

/// `[pipelines.NAME]`: where records come from and go to, and the engine's settings in the
/// same table (unknown keys are refused, which `serde(flatten)` would not do).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "toml::Table")]
pub(crate) struct PipelineConfig {
    /// A key of `[sources]`.
    pub source: String,
    /// The source's stream.
    pub stream: String,
    /// A key of `[sinks]`.
    pub sink: String,
    /// The collection searches use (default: the pipeline's name).
    #[serde(default)]
    pub collection: Option<String>,
    /// Keys of `[validators]`, run in order after the built-in rules.
    #[serde(default)]
    pub validators: Vec<String>,
    /// When `weir daemon` runs the pipeline: `schedule = "*/30 * * * *"` (in `sync.mode`) and
    /// `schedules = [{ cron = "0 2 * * *", mode = "reconcile" }]`.
    pub schedules: Vec<ScheduleConfig>,
    /// Everything else: text, payload, validation, batching.
    pub settings: PipelineSettings,
}

/// The keys of a `[pipelines.NAME]` table as the JSON Schema shows them (the table itself is
/// read by `TryFrom<toml::Table>`, so that errors can name the key).
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct PipelineKeys {
    /// A key of `[sources]`.
    source: String,
    /// The source's stream, e.g. `products`.
    stream: String,
    /// A key of `[sinks]`.
    sink: String,
    /// The collection searches use (default: the pipeline's name).
    #[serde(default)]
    collection: Option<String>,
    /// Keys of `[validators]`, run in order after the built-in rules.
    #[serde(default)]
    validators: Vec<String>,
    /// When `weir daemon` runs the pipeline in `sync.mode`: a cron expression such as
    /// `*/30 * * * *` (minute hour day-of-month month day-of-week, local time).
    #[serde(default)]
    schedule: Option<String>,
    /// More schedules, each with its own mode: `[{ cron = "0 2 * * *", mode = "reconcile" }]`.
    #[serde(default)]
    schedules: Vec<ScheduleConfig>,
    #[serde(flatten)]
    settings: PipelineSettings,
}

impl schemars::JsonSchema for PipelineConfig {
    fn schema_name() -> String {
        "PipelineConfig".into()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        PipelineKeys::json_schema(generator)
    }
}

/// The JSON Schema of `weir.toml` (as JSON: TOML tables are objects), for editors and checks.
pub(crate) fn schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Config);
    serde_json::to_value(schema).unwrap_or_default()
}

/// One entry of `schedules`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleConfig {
    /// Five-field cron expression, local time.
    pub cron: String,
    /// The mode of these runs (default: `sync.mode`).
    #[serde(default)]
    pub mode: Option<weir_engine::Mode>,
}

impl TryFrom<toml::Table> for PipelineConfig {
    type Error = String;

    fn try_from(mut t: toml::Table) -> Result<Self, String> {
        fn take<T: serde::de::DeserializeOwned>(t: &mut toml::Table, key: &str) -> Result<Option<T>, String> {
            t.remove(key)
                .map(|v| v.try_into().map_err(|e: toml::de::Error| format!("`{key}`: {}", e.message())))
                .transpose()
        }
        let source = take(&mut t, "source")?.ok_or("missing field `source`")?;
        let stream = take(&mut t, "stream")?.ok_or("missing field `stream`")?;
        let sink = take(&mut t, "sink")?.ok_or("missing field `sink`")?;
        let collection = take(&mut t, "collection")?;
        let validators = take(&mut t, "validators")?.unwrap_or_default();
        let mut schedules: Vec<ScheduleConfig> = take(&mut t, "schedules")?.unwrap_or_default();
        if let Some(cron) = take::<String>(&mut t, "schedule")? {
            schedules.insert(0, ScheduleConfig { cron, mode: None });
        }
        // The path of a bad field goes into the message: the error's span is the whole table.
        let settings: PipelineSettings = serde_path_to_error::deserialize(toml::Value::Table(t)).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." { inner.message().to_owned() } else { format!("`{path}`: {}", inner.message()) }
        })?;
        Ok(Self { source, stream, sink, collection, validators, schedules, settings })
    }
}

/// A configuration error, with where it happened.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub(crate) struct ConfigError {
    pub file: String,
    pub message: String,
}

impl ConfigError {
    fn new(file: &Path, message: impl Into<String>) -> Self {
        Self { file: file.display().to_string(), message: message.into() }
    }
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub config: Config,
    pub path: PathBuf,
    /// Every secret value, for redaction.
    pub secrets: Vec<String>,
}

impl Loaded {
    /// The state directory, resolved against the config file's directory.
    pub fn state_dir(&self) -> PathBuf {
        self.resolve(&self.config.sync.state_dir)
    }

    /// `p` resolved against the config file's directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() { p.to_path_buf() } else { self.path.parent().unwrap_or(Path::new(".")).join(p) }
    }
}

/// Reads `path`, expands `${VAR}`, applies `WEIR_A__B=value` environment overrides and
/// `overrides` (`a.b=value`), and checks references between sections.
pub(crate) fn load(path: &Path, overrides: &[String]) -> Result<Loaded, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(path, format!("cannot read: {e}")))?;
    load_str(path, &text, overrides, |k| std::env::var(k).ok(), std::env::vars().collect())
}

pub(crate) fn load_str(
    path: &Path,
    text: &str,
    overrides: &[String],
    env: impl Fn(&str) -> Option<String>,
    env_all: Vec<(String, String)>,
) -> Result<Loaded, ConfigError> {
    // Parsed as written first, so that errors point at the file's own lines.
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| ConfigError::new(path, located(&e, text)))?;
    if let Err(e) = toml::from_str::<Config>(text) {
        return Err(ConfigError::new(path, located(&e, text)));
    }
    let mut applied = Vec::new();
    for (k, v) in env_all {
        if let Some(rest) = k.strip_prefix("WEIR_")
            && rest.contains("__")
        {
            let key = rest.split("__").map(str::to_ascii_lowercase).collect::<Vec<_>>().join(".");
            applied.push((key, v, format!("environment variable {k}")));
        }
    }
    for o in overrides {
        let (k, v) = o
            .split_once('=')
            .ok_or_else(|| ConfigError::new(path, format!("--set `{o}`: write key=value, e.g. sync.mode=full")))?;
        applied.push((k.trim().to_owned(), v.to_owned(), format!("--set {o}")));
    }
    for (key, value, origin) in applied {
        set_path(&mut doc, &key, &value).map_err(|e| ConfigError::new(path, format!("{origin}: {e}")))?;
    }
    let mut value = toml::Value::Table(doc);
    expand(&mut value, "", &env).map_err(|e| ConfigError::new(path, e))?;
    let config: Config = value
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::new(path, format!("after overrides: {}", e.message())))?;
    check(&config).map_err(|e| ConfigError::new(path, e))?;
    let secrets = collect_secrets(&config);
    Ok(Loaded { config, path: path.to_path_buf(), secrets })
}

/// A parse error with its line and, where the line holds one, the full key it is about.
fn located(e: &toml::de::Error, text: &str) -> String {
    let Some(span) = e.span() else { return e.message().to_owned() };
    let start = span.start.min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    // Errors found inside a table (`pipelines.*`) span the table and name the key first.
    if let Some((key, rest)) = e.message().strip_prefix('`').and_then(|m| m.split_once("`: "))
        && let Some((line, full)) = key_in_table(text, line, key)
    {
        return format!("line {line}, key `{full}`: {rest}");
    }
    match key_at(text, line) {
        Some(key) => format!("line {line}, key `{key}`: {}", e.message()),
        None => format!("line {line}: {}", e.message()),
    }
}

/// Where `key` is assigned in the table whose `[header]` is on line `header` (1-based).
fn key_in_table(text: &str, header: usize, key: &str) -> Option<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let table = lines.get(header.checked_sub(1)?)?.trim();
    let table = table.strip_prefix('[')?.strip_suffix(']')?.trim();
    let first = key.split('.').next()?;
    for (i, l) in lines.iter().enumerate().skip(header) {
        let l = l.trim();
        if l.starts_with('[') {
            break;
        }
        if l.split_once('=').is_some_and(|(k, _)| k.trim().trim_matches('"') == first) {
            return Some((i + 1, format!("{table}.{key}")));
        }
    }
    None
}

/// The dotted key assigned on line `line` (1-based), prefixed by its `[table]` header.
fn key_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line.checked_sub(1)?)?.trim();
    if here.starts_with('[') || here.starts_with('#') {
        return None;
    }
    let (key, _) = here.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_owned(),
    })
}

fn set_path(doc: &mut toml::Table, key: &str, raw: &str) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{key}` is not a key path"));
    }
    // A TOML literal if it is one (numbers, booleans, arrays, quoted strings), else a string.
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()));
    let mut table = doc;
    for part in &parts[..parts.len() - 1] {
        let entry = table.entry((*part).to_owned()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = entry.as_table_mut().ok_or_else(|| format!("`{part}` in `{key}` is not a table"))?;
    }
    if let Some(last) = parts.last() {
        table.insert((*last).to_owned(), value);
    }
    Ok(())
}

/// Expands `${VAR}` in every string; `$${` is a literal `${`.
fn expand(value: &mut toml::Value, at: &str, env: &impl Fn(&str) -> Option<String>) -> Result<(), String> {
    match value {
        toml::Value::String(s) if s.contains("${") => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(i) = rest.find("${") {
                if rest[..i].ends_with('$') {
                    out.push_str(&rest[..i - 1]);
                    out.push_str("${");
                    rest = &rest[i + 2..];
                    continue;
                }
                out.push_str(&rest[..i]);
                let end = rest[i..].find('}').ok_or_else(|| format!("{at}: `${{` without a closing `}}`"))?;
                let name = &rest[i + 2..i + end];
                let (name, default) = match name.split_once(":-") {
                    Some((n, d)) => (n, Some(d)),
                    None => (name, None),
                };
                match env(name).or_else(|| default.map(str::to_owned)) {
                    Some(v) => out.push_str(&v),
                    None => return Err(format!("{at}: the environment variable {name} is not set")),
                }
                rest = &rest[i + end + 1..];
            }
            out.push_str(rest);
            *s = out;
        }
        toml::Value::Table(t) => {
            for (k, v) in t.iter_mut() {
                let here = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                expand(v, &here, env)?;
            }
        }
        toml::Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                expand(v, &format!("{at}[{i}]"), env)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn collect_secrets(c: &Config) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    out.extend(c.sources.values().flat_map(|p| p.secrets.values().cloned()));
    out.extend(c.validators.values().flat_map(|p| p.secrets.values().cloned()));
    out.extend(c.sinks.values().flat_map(|p| p.secrets.values().cloned()));
    out.extend(c.embedding.api_key.clone());
    out.retain(|s| !s.is_empty());
    out
}

fn check(c: &Config) -> Result<(), String> {
    if c.pipelines.is_empty() {
        return Err("no [pipelines.NAME] table: nothing to sync (see config/weir.toml)".into());
    }
    for (name, p) in &c.pipelines {
        let at = format!("pipelines.{name}");
        if !c.sources.contains_key(&p.source) {
            return Err(format!("{at}.source: no source `{}` in [sources] (have: {})", p.source, keys(&c.sources)));
        }
        if !c.sinks.contains_key(&p.sink) {
            return Err(format!("{at}.sink: no sink `{}` in [sinks] (have: {})", p.sink, keys(&c.sinks)));
        }
        for v in &p.validators {
            if !c.validators.contains_key(v) {
                return Err(format!(
                    "{at}.validators: no validator `{v}` in [validators] (have: {})",
                    keys(&c.validators)
                ));
            }
        }
        p.settings.check().map_err(|e| format!("{at}: {e}"))?;
        for s in &p.schedules {
            crate::schedule::Schedule::parse(&s.cron).map_err(|e| format!("{at}.schedules: {e}"))?;
        }
    }
    if c.sync.parallel_pipelines == 0 {
        return Err("sync.parallel_pipelines must be at least 1".into());
    }
    for (name, s) in &c.sources {
        if s.max_requests_in_flight == Some(0) {
            return Err(format!("sources.{name}.max_requests_in_flight must be at least 1"));
        }
    }
    if c.embedding.provider == Provider::Openai && c.embedding.model.is_none() {
        return Err("embedding.model: the openai provider needs a model name, e.g. text-embedding-3-small".into());
    }
    Ok(())
}

fn keys<V>(m: &BTreeMap<String, V>) -> String {
    if m.is_empty() { "none".into() } else { m.keys().cloned().collect::<Vec<_>>().join(", ") }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    const BASE: &str = r#"
[embedding]
provider = "hash"

[sources.erp]
plugin = "bluejet-source"
config = { base_url = "http://127.0.0.1:9" }
secrets = { token_id = "${TOKEN_ID}", token_hash = "${TOKEN_HASH:-fallback}" }

[sinks.store]
plugin = "qdrant-sink"
embedded = true

[pipelines.products]
source = "erp"
stream = "products"
sink = "store"
text = "{name} · {category}"
"#;

    fn env(k: &str) -> Option<String> {
        (k == "TOKEN_ID").then(|| "id-123".to_owned())
    }

    /// `config/weir.schema.json` is what `weir config schema` prints, and every shipped
    /// configuration validates against it.
    #[test]
    fn the_committed_json_schema_is_fresh_and_the_shipped_configs_validate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let file = root.join("config/weir.schema.json");
        let generated = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
        if std::env::var_os("WEIR_UPDATE_SCHEMA").is_some() {
            std::fs::write(&file, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            committed == generated,
            "config/weir.schema.json is stale: run `WEIR_UPDATE_SCHEMA=1 cargo test --workspace -- json_schema` \
             (or `weir config schema > config/weir.schema.json`)"
        );
        let validator = jsonschema::validator_for(&schema()).unwrap();
        let mut files = vec![root.join("config/weir.toml")];
        for e in std::fs::read_dir(root.join("config/examples")).unwrap() {
            files.push(e.unwrap().path());
        }
        for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "toml")) {
            let doc: toml::Value = toml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            let json = serde_json::to_value(doc).unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&json).map(|e| format!("{} at {}", e, e.instance_path)).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", f.display());
        }
        // And the schema refuses what the loader refuses.
        let bad = serde_json::json!({ "embedding": { "provider": "hash" }, "sync": { "mode": "sometimes" } });
        assert!(!validator.is_valid(&bad));
        let bad = serde_json::json!({ "embedding": { "provider": "hash" }, "pipelines": { "p": {
            "source": "s", "stream": "x", "sink": "k", "batch_sise": 5 } } });
        assert!(!validator.is_valid(&bad), "an unknown pipeline key passed the schema");
    }

    #[test]
    fn a_type_error_names_the_line_and_the_full_key() {
        let text = BASE.replace("text = \"{name} · {category}\"", "batch_size = \"many\"\ntext = \"{name}\"");
        let e = load(&text, &[], &[]).err().unwrap().to_string();
        assert!(e.contains("line 18, key `pipelines.products.batch_size`"), "{e}");
        assert_eq!(key_at("a = 1\n[x.y]\n# c\nb = 2", 4).as_deref(), Some("x.y.b"));
        assert_eq!(key_at("[x]\n", 1), None);
    }

    fn load(text: &str, overrides: &[&str], vars: &[(&str, &str)]) -> Result<Loaded, ConfigError> {
        let o: Vec<String> = overrides.iter().map(|s| (*s).to_owned()).collect();
        let vars = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        load_str(Path::new("weir.toml"), text, &o, env, vars)
    }

    #[test]
    fn loads_with_env_references_and_defaults() {
        let l = load(BASE, &[], &[]).unwrap();
        let src = &l.config.sources["erp"];
        assert_eq!(src.secrets["token_id"], "id-123");
        assert_eq!(src.secrets["token_hash"], "fallback");
        assert_eq!(l.config.sync.mode, weir_engine::Mode::Incremental);
        assert!(l.secrets.contains(&"id-123".to_owned()));
        assert_eq!(l.config.pipelines["products"].settings.batch_size, weir_engine::DEFAULT_BATCH_SIZE);
    }

    #[test]
    fn a_source_limits_its_requests_in_flight_and_a_pipeline_its_partitions() {
        let text = BASE
            .replace("secrets = {", "max_requests_in_flight = 3\nsecrets = {")
            .replace("text = ", "read_concurrency = 6\ntext = ");
        let l = load(&text, &[], &[]).unwrap();
        assert_eq!(l.config.sources["erp"].max_requests_in_flight, Some(3));
        assert_eq!(l.config.pipelines["products"].settings.read_concurrency, 6);
        let l = load(BASE, &[], &[]).unwrap();
        assert_eq!(l.config.sources["erp"].max_requests_in_flight, None);
        assert_eq!(l.config.pipelines["products"].settings.read_concurrency, weir_engine::DEFAULT_READ_CONCURRENCY);
        let e = load(&text.replace("= 3", "= 0"), &[], &[]).unwrap_err().to_string();
        assert!(e.contains("sources.erp.max_requests_in_flight must be at least 1"), "{e}");
        let e = load(&text.replace("= 6", "= 0"), &[], &[]).unwrap_err().to_string();
        assert!(e.contains("pipelines.products") && e.contains("read_concurrency"), "{e}");
    }

    #[test]
    fn env_and_set_override_keys() {
        let l = load(BASE, &["pipelines.products.batch_size=64"], &[("WEIR_SYNC__MODE", "full")]).unwrap();
        assert_eq!(l.config.sync.mode, weir_engine::Mode::Full);
        assert_eq!(l.config.pipelines["products"].settings.batch_size, 64);
    }

    #[test]
    fn errors_name_line_key_and_reference() {
        let e = load("[embedding]\nprovider = \"hash\"\n[sync\n", &[], &[]).unwrap_err().to_string();
        assert!(e.starts_with("weir.toml: line 3"), "{e}");
        let e = load(&BASE.replace("provider = \"hash\"", "provider = \"magic\""), &[], &[]).unwrap_err().to_string();
        assert!(e.contains("magic"), "{e}");
        let e = load(&BASE.replace("sink = \"store\"", "sink = \"nope\""), &[], &[]).unwrap_err().to_string();
        assert!(e.contains("pipelines.products.sink") && e.contains("store"), "{e}");
        let e = load(&BASE.replace("${TOKEN_ID}", "${MISSING_VAR}"), &[], &[]).unwrap_err().to_string();
        assert!(e.contains("sources.erp.secrets.token_id") && e.contains("MISSING_VAR"), "{e}");
        let e = load(&BASE.replace("text = ", "txet = \"x\"\ntext = "), &[], &[]).unwrap_err().to_string();
        assert!(e.contains("txet"), "{e}");
        let e = load(&BASE.replace("{name} · {category}", "{name"), &[], &[]).unwrap_err().to_string();
        assert!(e.contains("pipelines.products") && e.contains("not closed"), "{e}");
    }

    #[test]
    fn every_shipped_configuration_parses() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
        let mut files: Vec<PathBuf> = vec![root.join("weir.toml")];
        for entry in std::fs::read_dir(root.join("examples")).unwrap() {
            files.push(entry.unwrap().path());
        }
        assert!(files.len() >= 5, "{files:?}");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let loaded = load_str(&f, &text, &[], |_| Some("set".into()), Vec::new())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert!(!loaded.config.pipelines.is_empty(), "{}", f.display());
        }
    }
}
