//! What a run cost its plugins, embedder and embedding cache: their counters live as long as
//! the pipeline, so a run reads them before and after and reports the difference.

use std::collections::BTreeMap;

use weir_embed::{EmbedStats, EmbeddingCache};

use crate::error::Result;
use crate::pipeline::Pipeline;
use crate::report::{PluginCalls, RunReport};

/// The counters at the start of a run.
pub(super) struct Usage {
    plugins: BTreeMap<String, PluginCalls>,
    embed: EmbedStats,
    /// The cache's hits and misses.
    cache: (u64, u64),
}

impl Usage {
    pub(super) fn before(pipeline: &Pipeline, cache: &EmbeddingCache) -> Result<Self> {
        let plugins = plugin_counters(pipeline);
        let embed = pipeline.embedder.stats();
        let cache = cache.lookups();
        Ok(Self { plugins, embed, cache })
    }

    /// Writes what the run used into `report`, whatever happened in the run.
    pub(super) fn since(&self, pipeline: &Pipeline, cache: &EmbeddingCache, report: &mut RunReport) {
        let plugin_after = plugin_counters(pipeline);
        for (name, after) in plugin_after {
            let before = self.plugins.get(&name).cloned().unwrap_or_default();
            report.plugins.insert(
                name,
                PluginCalls {
                    calls: after.calls - before.calls,
                    http_requests: after.http_requests - before.http_requests,
                    http_retries: after.http_retries - before.http_retries,
                    busy_us: after.busy_us - before.busy_us,
                    http_us: after.http_us - before.http_us,
                },
            );
        }
        let embed_after = pipeline.embedder.stats();
        report.embedding.requests = embed_after.requests - self.embed.requests;
        report.embedding.tokens = embed_after.tokens - self.embed.tokens;
        report.embedding.cost_usd = embed_after.cost_usd - self.embed.cost_usd;
        let (hits, misses) = cache.lookups();
        report.embedding.cache_hits = hits - self.cache.0;
        report.embedding.cache_misses = misses - self.cache.1;
    }
}

fn plugin_counters(p: &Pipeline) -> BTreeMap<String, PluginCalls> {
    let mut out = BTreeMap::new();
    let mut put = |plugin: &weir_runtime::Plugin| {
        let s = plugin.stats();
        let entry: &mut PluginCalls = out.entry(plugin.name().to_owned()).or_default();
        entry.calls = weir_runtime::PluginStats::get(&s.calls);
        entry.http_requests = weir_runtime::PluginStats::get(&s.http_requests);
        entry.http_retries = weir_runtime::PluginStats::get(&s.http_retries);
        entry.busy_us = weir_runtime::PluginStats::get(&s.busy_nanos) / 1_000;
        entry.http_us = weir_runtime::PluginStats::get(&s.http_nanos) / 1_000;
    };
    if let Some(s) = &p.source {
        put(s.plugin());
    }
    for v in &p.validators {
        put(v.plugin());
    }
    put(p.sink.plugin());
    out
}
