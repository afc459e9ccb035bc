//! `weir plugin test FILE`: the conformance kit. It runs a plugin through what
//! `tests/conformance/SPEC.md` requires of its kind and reports each check as pass, fail
//! (a MUST broken) or warn (a SHOULD broken). A third party points it at their own plugin with
//! the configuration and grants it needs.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;
use weir_core::{HostRule, PluginError, PluginKind, Scope, SplitScope};
use weir_runtime::{Grants, Plugin, PluginStats, Runtime, RuntimeConfig, SourceInstance};

/// Largest number of records the kit reads from one stream.
const MAX_RECORDS: usize = 20_000;
/// Page size the kit asks for: small, so that paging and resuming are exercised.
const PAGE: u32 = 7;

#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// The plugin's `.wasm` file.
    file: PathBuf,
    /// The plugin's configuration (JSON object text or `@file.json`).
    #[arg(long, default_value = "{}")]
    config: String,
    /// Grant a host (repeatable), e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    allow: Vec<String>,
    /// Grant a secret `name=value` (repeatable).
    #[arg(long)]
    secret: Vec<String>,
    /// Grant a directory `name=path` (repeatable).
    #[arg(long)]
    dir: Vec<String>,
    /// Sources: only this stream (default: every stream).
    #[arg(long)]
    stream: Option<String>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, serde::Serialize)]
struct Check {
    id: &'static str,
    outcome: Outcome,
    detail: String,
}

#[derive(Default)]
struct Report {
    checks: Vec<Check>,
}

impl Report {
    fn must(&mut self, id: &'static str, ok: bool, detail: impl Into<String>) -> bool {
        self.checks.push(Check { id, outcome: if ok { Outcome::Pass } else { Outcome::Fail }, detail: detail.into() });
        ok
    }
    fn should(&mut self, id: &'static str, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check { id, outcome: if ok { Outcome::Pass } else { Outcome::Warn }, detail: detail.into() });
    }
}

fn grants(args: &TestArgs) -> anyhow::Result<Grants> {
    let mut g = Grants::none();
    for a in &args.allow {
        g = g.host(a.parse::<HostRule>().with_context(|| format!("--allow `{a}`"))?);
    }
    for s in &args.secret {
        let (k, v) = s.split_once('=').with_context(|| format!("--secret `{s}`: write name=value"))?;
        g = g.secret(k, v);
    }
    for d in &args.dir {
        let (k, v) = d.split_once('=').with_context(|| format!("--dir `{d}`: write name=path"))?;
        g = g.dir(k, v);
    }
    Ok(g)
}

fn is_config_error(e: &weir_runtime::Error) -> bool {
    matches!(e.plugin_error(), Some(PluginError::Config(_)))
}

fn typed(e: &weir_runtime::Error) -> bool {
    e.plugin_error().is_some()
}

pub(crate) async fn run(args: TestArgs) -> anyhow::Result<ExitCode> {
    let config = match args.config.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?,
        None => args.config.clone(),
    };
    let grants = grants(&args)?;
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let mut report = Report::default();
    let plugin = match runtime.load(&args.file).await {
        Ok(p) => {
            report.must("load", true, format!("{} {} ({})", p.name(), p.manifest().version, p.manifest().kind));
            p
        }
        Err(e) => {
            report.must("load", false, e.to_string());
            return finish(report, args.json);
        }
    };
    match plugin.manifest().kind {
        PluginKind::Source => source_checks(&plugin, &grants, &config, args.stream.as_deref(), &mut report).await,
        PluginKind::Validator => validator_checks(&plugin, &grants, &config, &mut report).await,
        PluginKind::Sink => sink_checks(&plugin, &grants, &config, &mut report).await,
    }
    let denied = PluginStats::get(&plugin.stats().http_denied);
    report.must(
        "no-undeclared-hosts",
        denied == 0,
        format!("{denied} requests to hosts outside the grants were refused"),
    );
    let traps = PluginStats::get(&plugin.stats().traps) + PluginStats::get(&plugin.stats().timeouts);
    report.must("no-traps", traps == 0, format!("{traps} calls trapped or timed out"));
    finish(report, args.json)
}

fn finish(report: Report, json: bool) -> anyhow::Result<ExitCode> {
    let failed = report.checks.iter().filter(|c| c.outcome == Outcome::Fail).count();
    let warned = report.checks.iter().filter(|c| c.outcome == Outcome::Warn).count();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "checks": report.checks, "failed": failed, "warnings": warned })
            )?
        );
    } else {
        for c in &report.checks {
            let tag = match c.outcome {
                Outcome::Pass => "pass",
                Outcome::Warn => "WARN",
                Outcome::Fail => "FAIL",
            };
            println!("{tag}  {:<28} {}", c.id, c.detail);
        }
        println!("\n{} checks: {} failed, {} warnings", report.checks.len(), failed, warned);
    }
    Ok(ExitCode::from(if failed > 0 { crate::run_cmd::EXIT_FAILED } else { 0 }))
}

async fn bad_config_check(report: &mut Report, result: Result<(), weir_runtime::Error>) {
    match result {
        Ok(()) => report.must("config-errors-are-config", false, "an unknown configuration key was accepted"),
        Err(e) => report.must("config-errors-are-config", is_config_error(&e), e.to_string()),
    };
}

async fn source_checks(plugin: &Plugin, grants: &Grants, config: &str, only: Option<&str>, report: &mut Report) {
    bad_config_check(report, plugin.source(grants, &with_unknown_key(config)).await.map(|_| ())).await;
    let mut source = match plugin.source(grants, config).await {
        Ok(s) => s,
        Err(e) => {
            report.must("configure", false, e.to_string());
            return;
        }
    };
    let streams = match source.streams().await {
        Ok(s) => s,
        Err(e) => {
            report.must("streams", false, e.to_string());
            return;
        }
    };
    report.must(
        "streams",
        !streams.is_empty() && streams.iter().all(|s| !s.name.is_empty() && !s.key_field.is_empty()),
        format!(
            "{} streams: {}",
            streams.len(),
            streams.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
    );
    match source.read("no-such-stream-weir-conformance", &Scope::Full, None, PAGE).await {
        Ok(_) => report.must("unknown-stream-is-an-error", false, "reading an unknown stream succeeded"),
        Err(e) => report.must("unknown-stream-is-an-error", typed(&e), e.to_string()),
    };
    for stream in streams.iter().filter(|s| only.is_none_or(|o| o == s.name)) {
        let name = stream.name.as_str();
        // A full read in small pages, remembering every state.
        let mut keys: Vec<String> = Vec::new();
        let mut states: Vec<(usize, String)> = Vec::new();
        let mut state: Option<String> = None;
        let mut pages = 0usize;
        let mut over_max = false;
        let mut bad_fields = 0usize;
        let mut cursors: Vec<Option<String>> = Vec::new();
        let read_ok = loop {
            match source.read(name, &Scope::Full, state.as_deref(), PAGE).await {
                Ok(page) => {
                    pages += 1;
                    over_max |= page.records.len() > PAGE as usize;
                    for r in &page.records {
                        if !serde_json::from_str::<Value>(&r.fields).is_ok_and(|v| v.is_object()) {
                            bad_fields += 1;
                        }
                        keys.push(r.key.clone());
                        cursors.push(r.cursor.clone());
                    }
                    states.push((keys.len(), page.state.clone()));
                    state = Some(page.state);
                    if page.done {
                        break true;
                    }
                    if keys.len() > MAX_RECORDS || pages > MAX_RECORDS {
                        break false;
                    }
                }
                Err(e) => {
                    report.must("read", false, format!("{name}: {e}"));
                    break false;
                }
            }
        };
        if !read_ok {
            report.should(
                "read-terminates",
                false,
                format!("{name}: stopped after {} records without `done`", keys.len()),
            );
            continue;
        }
        report.must("read", true, format!("{name}: {} records in {pages} pages", keys.len()));
        report.must("read-respects-max", !over_max, format!("{name}: pages of at most {PAGE} records"));
        report.must(
            "fields-are-json-objects",
            bad_fields == 0,
            format!("{name}: {bad_fields} records without an object"),
        );
        let distinct: HashSet<&String> = keys.iter().collect();
        report.must(
            "read-each-key-once",
            distinct.len() == keys.len(),
            format!("{name}: {} keys, {} distinct", keys.len(), distinct.len()),
        );
        // Resume from states spread over the read: the rest must be exactly the suffix.
        let mut resume_ok = true;
        let mut detail = format!("{name}: resumed from {} states", states.len().min(5));
        let picks: Vec<&(usize, String)> = states.iter().step_by((states.len() / 5).max(1)).take(5).collect();
        for (offset, st) in picks {
            let mut rest = Vec::new();
            let mut s = Some(st.clone());
            let mut guard = 0;
            if states.last().is_some_and(|(o, _)| o == offset) {
                continue;
            }
            loop {
                guard += 1;
                match source.read(name, &Scope::Full, s.as_deref(), PAGE).await {
                    Ok(p) => {
                        rest.extend(p.records.into_iter().map(|r| r.key));
                        s = Some(p.state);
                        if p.done || guard > MAX_RECORDS {
                            break;
                        }
                    }
                    Err(e) => {
                        resume_ok = false;
                        detail = format!("{name}: resuming failed: {e}");
                        break;
                    }
                }
            }
            if rest.as_slice() != &keys[*offset..] {
                resume_ok = false;
                detail = format!(
                    "{name}: resuming after record {offset} gave {} records, not {}",
                    rest.len(),
                    keys.len() - offset
                );
                break;
            }
        }
        report.must("read-resumes-from-any-state", resume_ok, detail);
        let (parts_ok, detail) = partitions_check(&mut source, name, &keys).await;
        report.must("partitions-cover-the-stream-once", parts_ok, detail);
        match source.count(name).await {
            Ok(Some(n)) => report.should(
                "count-matches-read",
                n as usize == keys.len(),
                format!("{name}: count {n}, read {}", keys.len()),
            ),
            Ok(None) => report.should("count-matches-read", true, format!("{name}: the source cannot count")),
            Err(e) => report.should("count-matches-read", false, format!("{name}: {e}")),
        }
        let mut listed = BTreeSet::new();
        let mut s: Option<String> = None;
        let mut list_ok = true;
        for _ in 0..=MAX_RECORDS {
            match source.list_keys(name, s.as_deref(), 1000).await {
                Ok(p) => {
                    listed.extend(p.keys);
                    s = Some(p.state);
                    if p.done {
                        break;
                    }
                }
                Err(e) => {
                    list_ok = false;
                    report.must("list-keys-matches-read", false, format!("{name}: {e}"));
                    break;
                }
            }
        }
        if list_ok {
            let read: BTreeSet<String> = keys.iter().cloned().collect();
            report.must(
                "list-keys-matches-read",
                listed == read,
                format!("{name}: {} listed, {} read", listed.len(), read.len()),
            );
        }
        if stream.cursor_field.is_some() {
            let newest = cursors.iter().flatten().max().cloned();
            if let Some(since) = newest {
                match source.read(name, &Scope::Since(since.clone()), None, 1000).await {
                    Ok(p) => {
                        let ok = p.records.iter().all(|r| r.cursor.as_deref().is_some_and(|c| c >= since.as_str()));
                        report.must(
                            "since-returns-only-newer",
                            ok && !p.records.is_empty(),
                            format!("{name}: {} records at or after {since}", p.records.len()),
                        );
                    }
                    Err(e) => {
                        report.must("since-returns-only-newer", false, format!("{name}: {e}"));
                    }
                }
            }
        }
    }
}

/// Asks for at most 4 partitions of a full read and reads each from its state to its end:
/// together they must hold exactly the keys of the unpartitioned read, none twice. A source that
/// cannot split answers one partition, which passes trivially.
async fn partitions_check(source: &mut SourceInstance, name: &str, keys: &[String]) -> (bool, String) {
    let parts = match source.partitions(name, &SplitScope::Read(Scope::Full), 4).await {
        Ok(parts) => parts,
        Err(e) => return (false, format!("{name}: {e}")),
    };
    let mut read = Vec::new();
    for part in &parts {
        let mut state = part.state.clone();
        let mut done = false;
        for _ in 0..=MAX_RECORDS {
            match source.read(name, &Scope::Full, state.as_deref(), PAGE).await {
                Ok(page) => {
                    read.extend(page.records.into_iter().map(|r| r.key));
                    if page.done {
                        done = true;
                        break;
                    }
                    state = Some(page.state);
                }
                Err(e) => return (false, format!("{name}: partition {}: {e}", part.label)),
            }
        }
        if !done {
            return (false, format!("{name}: partition {} did not end", part.label));
        }
    }
    let (mut got, mut want) = (read.clone(), keys.to_vec());
    got.sort_unstable();
    want.sort_unstable();
    let detail =
        format!("{name}: {} partitions gave {} records, the full read {}", parts.len(), read.len(), keys.len());
    (got == want, detail)
}

fn with_unknown_key(config: &str) -> String {
    match serde_json::from_str::<Value>(config) {
        Ok(Value::Object(mut m)) => {
            m.insert("weir_conformance_unknown_key".into(), Value::Bool(true));
            Value::Object(m).to_string()
        }
        _ => "[\"not an object\"]".into(),
    }
}

async fn validator_checks(plugin: &Plugin, grants: &Grants, config: &str, report: &mut Report) {
    bad_config_check(report, plugin.validator(grants, &with_unknown_key(config)).await.map(|_| ())).await;
    let mut v = match plugin.validator(grants, config).await {
        Ok(v) => v,
        Err(e) => {
            report.must("configure", false, e.to_string());
            return;
        }
    };
    let records: Vec<weir_core::Record> = (0..50)
        .map(|i| weir_core::Record {
            key: format!("k{i}"),
            fields: match i % 5 {
                0 => "[1,2]".into(),
                1 => "{}".into(),
                2 => r#"{"name":"Hrnec","price":12.5}"#.into(),
                3 => r#"{"name":"","price":"12,50"}"#.into(),
                _ => format!(r#"{{"name":"Kuřecí prsa {i}","price":{i}}}"#),
            },
            cursor: None,
        })
        .collect();
    match v.validate("products", &records).await {
        Ok(verdicts) => {
            report.must(
                "one-verdict-per-record",
                verdicts.len() == records.len(),
                format!("{} verdicts for {} records", verdicts.len(), records.len()),
            );
        }
        Err(e) => {
            report.must("one-verdict-per-record", false, e.to_string());
        }
    }
    match v.validate("products", &[]).await {
        Ok(verdicts) => report.must("empty-batch", verdicts.is_empty(), "an empty batch gives no verdicts"),
        Err(e) => report.must("empty-batch", false, e.to_string()),
    };
}

async fn sink_checks(plugin: &Plugin, grants: &Grants, config: &str, report: &mut Report) {
    bad_config_check(report, plugin.sink(grants, &with_unknown_key(config)).await.map(|_| ())).await;
    let mut sink = match plugin.sink(grants, config).await {
        Ok(s) => s,
        Err(e) => {
            report.must("configure", false, e.to_string());
            return;
        }
    };
    let collection = format!("weir_conformance_{}", std::process::id());
    let spec = weir_core::CollectionSpec {
        name: collection.clone(),
        dimension: 4,
        distance: weir_core::Distance::Cosine,
        model: "hash:conformance@4".into(),
        lexical: None,
        payload_indexes: vec![],
    };
    if let Err(e) = sink.prepare(&spec).await {
        report.must("prepare", false, e.to_string());
        return;
    }
    report.must("prepare", true, format!("collection {collection}"));
    let wrong = weir_core::CollectionSpec { dimension: 5, ..spec.clone() };
    match sink.prepare(&wrong).await {
        Ok(_) => report.must(
            "prepare-refuses-other-dimension",
            false,
            "a 5-dimensional spec was accepted for a 4-dimensional collection",
        ),
        Err(e) => report.must("prepare-refuses-other-dimension", typed(&e), e.to_string()),
    };
    let points: Vec<weir_core::Point> = (0..20u32)
        .map(|i| weir_core::Point {
            id: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &i.to_le_bytes()).to_string(),
            vector: vec![1.0, i as f32, 0.5, 0.25],
            sparse: None,
            payload: format!(r#"{{"_key":"k{i}","n":{i}}}"#),
        })
        .collect();
    let first = sink.upsert(&collection, &points).await;
    let second = sink.upsert(&collection, &points).await;
    let count = sink.count(&collection).await;
    report.must(
        "upsert-is-idempotent",
        first.is_ok() && second.is_ok() && matches!(count, Ok(20)),
        format!("two upserts of 20 points: count {count:?}"),
    );
    let ids: Vec<String> = points.iter().take(5).map(|p| p.id.clone()).collect();
    let deleted = sink.delete(&collection, &ids).await;
    let count = sink.count(&collection).await;
    report.must("delete", deleted.is_ok() && matches!(count, Ok(15)), format!("count after deleting 5: {count:?}"));
    let _ = sink.drop_collection(&collection).await;
}
