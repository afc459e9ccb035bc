//! Turns a loaded configuration into running pieces: the plugin runtime, the embedder, an
//! embedded store when a sink asks for one, and pipelines.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use weir_core::HostRule;
use weir_embed::{Embedder, HashEmbedder, LocalConfig, LocalEmbedder, LocalModel, OpenAiConfig, OpenAiEmbedder};
use weir_engine::{Pipeline, StateDir};
use weir_runtime::{Grants, Plugin, Runtime, RuntimeConfig};

use crate::bundled::{self, Origin};
use crate::config::{Loaded, PipelineConfig, PluginConfig, Provider, SinkConfig};

/// Default vector length of the hash embedder.
const HASH_DIMENSIONS: u32 = 256;

/// Everything a command needs, started once.
pub(crate) struct App {
    pub loaded: Loaded,
    pub state: Arc<StateDir>,
    runtime: Runtime,
    plugin_dir: Option<PathBuf>,
    embedder: Option<Arc<dyn Embedder>>,
    stores: BTreeMap<String, qdrant_local::QdrantLocal>,
    plugins: BTreeMap<String, Plugin>,
}

impl App {
    /// Opens (and locks) the state directory.
    pub async fn open(loaded: Loaded) -> anyhow::Result<Self> {
        let state = Arc::new(StateDir::open(loaded.state_dir())?);
        let log = state.path("weir.log");
        if let Err(e) = crate::log_to(&log) {
            tracing::warn!(file = %log.display(), error = %e, "cannot write the log file");
        }
        // No directory beside the executable: a `weir` copied anywhere runs its embedded
        // plugins, and one started from a build tree runs the same ones.
        let plugin_dir = loaded.config.sync.plugin_dir.as_ref().map(|d| loaded.resolve(d));
        let runtime = Runtime::new(RuntimeConfig::default())?;
        Ok(Self {
            loaded,
            state,
            runtime,
            plugin_dir,
            embedder: None,
            stores: BTreeMap::new(),
            plugins: BTreeMap::new(),
        })
    }

    /// The embedder of `[embedding]` (made once).
    pub fn embedder(&mut self) -> anyhow::Result<Arc<dyn Embedder>> {
        if let Some(e) = &self.embedder {
            return Ok(e.clone());
        }
        let c = &self.loaded.config.embedding;
        let embedder: Arc<dyn Embedder> = match c.provider {
            Provider::Hash => Arc::new(HashEmbedder::new(c.dimensions.unwrap_or(HASH_DIMENSIONS))),
            Provider::Local => {
                let model = match c.model.as_deref().unwrap_or("multilingual-e5-small") {
                    "multilingual-e5-small" => LocalModel::MultilingualE5Small,
                    "all-MiniLM-L6-v2" | "all-minilm-l6-v2" => LocalModel::AllMiniLmL6V2,
                    other => bail!(
                        "embedding.model: `{other}` is not a local model (multilingual-e5-small, all-MiniLM-L6-v2)"
                    ),
                };
                let mut cfg = LocalConfig::new(model);
                if let Some(t) = c.threads {
                    cfg.threads = t;
                }
                if let Some(b) = c.batch_size {
                    cfg.batch_size = b;
                }
                Arc::new(LocalEmbedder::new(cfg).context(
                    "the local embedding model is not set up: run `python3 tools/setup-models.py` from weir's \
                     release archive (in a source tree: `cargo xtask setup`), or set WEIR_MODEL_DIR to the \
                     directory that holds the model files",
                )?)
            }
            Provider::Openai => {
                let model = c.model.clone().unwrap_or_default();
                let dims = c.dimensions.unwrap_or(1536);
                let mut cfg = OpenAiConfig::new(model, dims);
                cfg.send_dimensions = c.dimensions.is_some();
                if let Some(u) = &c.base_url {
                    cfg.base_url = u.clone();
                }
                cfg.api_key = c.api_key.clone().filter(|k| !k.is_empty()).map(weir_embed::ApiKey::new);
                if let Some(v) = c.requests_per_minute {
                    cfg.requests_per_minute = v;
                }
                if let Some(v) = c.tokens_per_minute {
                    cfg.tokens_per_minute = v;
                }
                if let Some(v) = c.max_concurrency {
                    cfg.max_concurrency = v;
                }
                if let Some(v) = c.usd_per_million_tokens {
                    cfg.usd_per_million_tokens = v;
                }
                Arc::new(OpenAiEmbedder::new(cfg)?)
            }
        };
        self.embedder = Some(embedder.clone());
        Ok(embedder)
    }

    /// Where plugin `name` of the configuration comes from (see [`crate::bundled`]).
    pub fn plugin_origin(&self, name: &str) -> anyhow::Result<Origin> {
        if bundled::is_path(name) {
            return Ok(Origin::File(self.loaded.resolve(std::path::Path::new(name))));
        }
        bundled::resolve(name, self.plugin_dir.as_deref())
    }

    async fn plugin(&mut self, name: &str) -> anyhow::Result<Plugin> {
        if let Some(p) = self.plugins.get(name) {
            return Ok(p.clone());
        }
        let plugin = match self.plugin_origin(name)? {
            Origin::File(path) => {
                let loaded = self.runtime.load(&path).await;
                if !bundled::is_path(name) && bundled::is_bundled(name) {
                    loaded.with_context(|| {
                        format!(
                            "{} overrides the bundled plugin `{name}` and cannot be loaded; replace it with a \
                             working build or remove it to use the bundled one",
                            path.display()
                        )
                    })?
                } else {
                    loaded.with_context(|| format!("cannot load plugin {}", path.display()))?
                }
            }
            Origin::Embedded => match bundled::embedded(name) {
                Some(Ok(bytes)) => self.runtime.load_bytes(&format!("bundled {name}"), bytes.to_vec()).await?,
                Some(Err(e)) => return Err(e),
                None => bail!("no bundled plugin `{name}`"),
            },
        };
        self.plugins.insert(name.to_owned(), plugin.clone());
        Ok(plugin)
    }

    /// The URL of sink `name`, starting its embedded store when it has one.
    async fn sink_url(&mut self, name: &str, sink: &SinkConfig) -> anyhow::Result<Option<String>> {
        if !sink.embedded {
            return Ok(None);
        }
        if let Some(s) = self.stores.get(name) {
            return Ok(Some(s.rest_url()));
        }
        let dir = self.state.dir().join("qdrant").join(name);
        let mut opts = qdrant_local::Options::new(&dir, qdrant_local::LOOPBACK);
        opts.durable = sink.durable;
        opts.grpc_addr = None;
        let store = qdrant_local::QdrantLocal::start_with(opts)
            .await
            .with_context(|| format!("cannot start the embedded store in {}", dir.display()))?;
        let url = store.rest_url();
        self.stores.insert(name.to_owned(), store);
        Ok(Some(url))
    }

    /// Builds pipeline `name`.
    pub async fn pipeline(&mut self, name: &str) -> anyhow::Result<Pipeline> {
        let p: PipelineConfig = self
            .loaded
            .config
            .pipelines
            .get(name)
            .cloned()
            .with_context(|| format!("no pipeline `{name}` (have: {})", self.pipeline_names().join(", ")))?;
        let source_cfg = self.loaded.config.sources[&p.source].clone();
        let sink_cfg = self.loaded.config.sinks[&p.sink].clone();

        let source_plugin =
            self.plugin(&source_cfg.plugin).await.with_context(|| format!("sources.{}.plugin", p.source))?;
        let g =
            self.dir_grants(grant_for(&format!("sources.{}", p.source), &source_cfg, &source_cfg.config)?, &source_cfg);
        let source = source_plugin
            .source(&g, &json(&source_cfg.config)?)
            .await
            .with_context(|| format!("sources.{}", p.source))?;

        let mut validators = Vec::new();
        for v in &p.validators {
            let vc = self.loaded.config.validators[v].clone();
            let plugin = self.plugin(&vc.plugin).await.with_context(|| format!("validators.{v}.plugin"))?;
            let g = self.dir_grants(grant_for(&format!("validators.{v}"), &vc, &vc.config)?, &vc);
            validators.push(plugin.validator(&g, &json(&vc.config)?).await.with_context(|| format!("validators.{v}"))?);
        }

        let mut sink_config = sink_cfg.config.clone();
        if let Some(url) = self.sink_url(&p.sink, &sink_cfg).await? {
            sink_config.insert("url".into(), toml::Value::String(url));
        }
        let as_plugin = PluginConfig {
            plugin: sink_cfg.plugin.clone(),
            config: sink_config.clone(),
            allow: sink_cfg.allow.clone(),
            secrets: sink_cfg.secrets.clone(),
            dirs: BTreeMap::new(),
            max_requests_in_flight: None,
        };
        let sink_plugin = self.plugin(&sink_cfg.plugin).await.with_context(|| format!("sinks.{}.plugin", p.sink))?;
        let g = grant_for(&format!("sinks.{}", p.sink), &as_plugin, &sink_config)?;
        let sink = sink_plugin.sink(&g, &json(&sink_config)?).await.with_context(|| format!("sinks.{}", p.sink))?;

        let embedder = self.embedder()?;
        let collection = p.collection.clone().unwrap_or_else(|| name.to_owned());
        Ok(Pipeline::new(name, &p.stream, source, validators, sink, collection, embedder, p.settings.clone())?
            .redacting(self.loaded.secrets.clone())
            .reading_state_in(self.state.dir()))
    }

    fn dir_grants(&self, mut g: Grants, p: &PluginConfig) -> Grants {
        for (name, dir) in &p.dirs {
            g = g.dir(name.clone(), self.loaded.resolve(dir));
        }
        g
    }

    /// Pipeline names in order.
    pub fn pipeline_names(&self) -> Vec<String> {
        self.loaded.config.pipelines.keys().cloned().collect()
    }

    /// Stops embedded stores (flushing them).
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        for (_, store) in std::mem::take(&mut self.stores) {
            store.shutdown().await?;
        }
        Ok(())
    }
}

fn json(table: &toml::Table) -> anyhow::Result<String> {
    Ok(serde_json::to_string(table)?)
}

/// The grants of a plugin: its `allow` list (or the origin of its `base_url`/`url`) and its
/// secrets.
fn grant_for(at: &str, p: &PluginConfig, config: &toml::Table) -> anyhow::Result<Grants> {
    let mut g = Grants::none();
    let allow: Vec<String> = match &p.allow {
        Some(list) => list.clone(),
        None => ["base_url", "url"]
            .iter()
            .filter_map(|k| config.get(*k).and_then(|v| v.as_str()))
            .filter_map(origin)
            .take(1)
            .collect(),
    };
    for rule in allow {
        let rule: HostRule = rule.parse().with_context(|| format!("{at}.allow: `{rule}` is not a host rule"))?;
        g = g.host(rule);
    }
    for (name, value) in &p.secrets {
        g = g.secret(name.clone(), value.clone());
    }
    // Checked with the configuration (at least 1); sources only.
    g.max_requests_in_flight = p.max_requests_in_flight;
    Ok(g)
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{}://{host}:{p}", u.scheme()),
        None => format!("{}://{host}", u.scheme()),
    })
}
