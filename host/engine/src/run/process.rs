//! Stage 2, processing: a task takes each page from the reader, has the validator plugins and
//! the built-in rules check its records, renders their text and payload, and compares their
//! hashes with the ledger, sorting each record into what the sink must do: embed and upsert,
//! update the payload only, or nothing (a full run still moves its ledger row to this
//! generation). Invalid records go to the invalid-records file.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use weir_core::{Record, Verdict};
use weir_runtime::ValidatorInstance;

use super::batch::{Batch, Item};
use super::busy::{Busy, add};
use super::cursor::{later, newer};
use super::options::StopSignal;
use super::read::PartPage;
use crate::error::{Error, Result};
use crate::invalid::InvalidLog;
use crate::mode::Mode;
use crate::pipeline::{KEY_FIELD, Pipeline};
use crate::search::expand::Expander;
use crate::search::kept::PairCollector;
use crate::search::normalise_identifier;
use crate::settings::{IDS_FIELD, InvalidPolicy, PipelineSettings};
use crate::state::{Checkpoint, LedgerRow, StateDir};
use crate::template::Template;
use crate::validate::CompiledRules;

/// A valid record of a page: its index there, its rendered text, its lexical text (hybrid
/// collections) with the learned translations it lacks, and its payload.
type Candidate = (usize, String, Option<String>, Vec<(u32, f32)>, String);

/// The newest cursor seen for each key (by hash).
#[derive(Default)]
struct NewestCursors(HashMap<u64, String>);

impl NewestCursors {
    /// Whether a version of `key` newer than `cursor` was seen; if none was, `cursor` becomes
    /// the newest of `key`. A record without a cursor is never superseded.
    fn superseded(&mut self, key: &str, cursor: Option<&String>) -> bool {
        let Some(cursor) = cursor else { return false };
        match self.0.entry(key_hash(key)) {
            Entry::Occupied(e) if later(e.get(), cursor) => true,
            Entry::Occupied(mut e) => {
                e.insert(cursor.clone());
                false
            }
            Entry::Vacant(e) => {
                e.insert(cursor.clone());
                false
            }
        }
    }
}

/// The processing stage's context.
pub(super) struct Processor {
    pipeline: String,
    ledger: String,
    stream: String,
    template: Template,
    /// The lexical text's template when the collection is hybrid.
    lexical: Option<Template>,
    rules: CompiledRules,
    settings: PipelineSettings,
    state: Arc<StateDir>,
    generation: u64,
    full: bool,
    dry_run: bool,
    invalid: InvalidLog,
    /// Hashes of the keys seen by this process in a full run (duplicate detection).
    seen_hashes: HashSet<u64>,
    /// The newest cursor processed for each key (by hash) in an incremental run. Partitions
    /// are read at once, so a record changed during the run may come from one partition in
    /// its new version before another partition hands on the old one; the old one must not
    /// overwrite it.
    newest: NewestCursors,
    /// Keys seen by a dry full run (what a real run would not delete).
    seen_keys: Option<HashSet<String>>,
    busy: Arc<Busy>,
    run_id: u64,
    /// The pairs for the learned term translations (`translate` set, a hybrid collection, not
    /// a dry run); learned and kept when the stream was read to its end.
    pairs: Option<PairCollector>,
    /// The translations that expand the records' lexical vectors (`translate` set, a hybrid
    /// collection, a table kept by an earlier run).
    expander: Option<Expander>,
    lexical_encoder: Arc<weir_embed::LexicalEncoder>,
}

fn key_hash(key: &str) -> u64 {
    let d = Sha256::digest(key.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_le_bytes(b)
}

/// The hash of what a point's vectors are made from: the text, and the lexical text of a
/// hybrid collection with the translations that expand it (a change to any re-embeds). A
/// dense-only collection hashes the text alone, as before hybrid search, and a record without
/// translations its two texts, as before they were learned, so that points are not all
/// rewritten.
fn text_hash(text: &str, lexical: Option<&str>, expansion: &[(u32, f32)]) -> [u8; 16] {
    match lexical {
        None => hash16(text.as_bytes()),
        Some(lexical) => {
            let mut bytes = Vec::with_capacity(text.len() + lexical.len() + 1 + expansion.len() * 8);
            bytes.extend_from_slice(text.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(lexical.as_bytes());
            if !expansion.is_empty() {
                bytes.push(0);
                for (term, count) in expansion {
                    bytes.extend_from_slice(&term.to_le_bytes());
                    bytes.extend_from_slice(&count.to_le_bytes());
                }
            }
            hash16(&bytes)
        }
    }
}

fn hash16(bytes: &[u8]) -> [u8; 16] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

impl Processor {
    /// The stage for the run of `checkpoint` (its id, mode and generation), whose rows go to
    /// `ledger`.
    pub(super) fn new(
        pipeline: &Pipeline,
        state: &Arc<StateDir>,
        ledger: String,
        checkpoint: &Checkpoint,
        dry_run: bool,
        hybrid: bool,
        busy: Arc<Busy>,
    ) -> Self {
        Processor {
            pipeline: pipeline.name.clone(),
            ledger,
            stream: pipeline.stream.clone(),
            template: pipeline.template.clone(),
            lexical: hybrid.then(|| pipeline.lexical_template.clone()),
            rules: pipeline.rules.clone(),
            settings: pipeline.settings.clone(),
            state: state.clone(),
            generation: checkpoint.generation,
            full: matches!(checkpoint.mode, Mode::Full | Mode::Rebuild),
            dry_run,
            invalid: InvalidLog::new(state.path(crate::state::INVALID_FILE), !dry_run)
                .redacting(pipeline.redact.clone()),
            seen_hashes: HashSet::new(),
            newest: NewestCursors::default(),
            seen_keys: dry_run.then(HashSet::new),
            busy,
            run_id: checkpoint.run_id,
            // A full run from its start replaces the pairs; a resumed one adds to them.
            pairs: pipeline.settings.translate_pair().filter(|_| hybrid && !dry_run).map(|fields| {
                let fresh = matches!(checkpoint.mode, Mode::Full | Mode::Rebuild) && checkpoint.batches == 0;
                PairCollector::start(state.dir(), &pipeline.name, &pipeline.collection, fields, fresh)
            }),
            expander: hybrid.then(|| Expander::open(state.dir(), pipeline)).flatten(),
            lexical_encoder: pipeline.lexical.clone(),
        }
    }

    /// Starts the task; it hands the validators back when it ends, with the keys a dry full
    /// run saw.
    pub(super) fn spawn(
        self,
        mut validators: Vec<ValidatorInstance>,
        mut page_rx: mpsc::Receiver<Result<PartPage>>,
        batch_tx: mpsc::Sender<Result<Batch>>,
        stop: StopSignal,
    ) -> JoinHandle<(Vec<ValidatorInstance>, Option<HashSet<String>>)> {
        tokio::spawn(async move {
            let mut ctx = self;
            let mut read_all = true;
            while let Some(page) = page_rx.recv().await {
                read_all = false;
                // On a stop the queued pages are dropped unprocessed, and so is a batch
                // processed as it came: the next run reads them again from the checkpoint.
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let batch = match page {
                    Ok(page) => ctx.process(page, &mut validators).await,
                    Err(e) => Err(e),
                };
                let failed = batch.is_err();
                if stop.load(Ordering::Relaxed) || batch_tx.send(batch).await.is_err() || failed {
                    break;
                }
                read_all = true;
            }
            ctx.keep_pairs(read_all && !stop.load(Ordering::Relaxed)).await;
            (validators, ctx.seen_keys)
        })
    }

    /// Learns and keeps the term translations from the pairs, once the stream was read to its
    /// end (`read_all`). A failure costs the searches their newer table, not the run.
    async fn keep_pairs(&mut self, read_all: bool) {
        let (Some(pairs), true) = (self.pairs.take(), read_all) else { return };
        let encoder = self.lexical_encoder.clone();
        let pipeline = self.pipeline.clone();
        match tokio::task::spawn_blocking(move || pairs.finish(&encoder)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(%pipeline, error = %e, "cannot keep the learned term translations"),
            Err(e) => tracing::warn!(%pipeline, error = %e, "learning the term translations failed"),
        }
    }

    async fn process(&mut self, page: PartPage, validators: &mut [ValidatorInstance]) -> Result<Batch> {
        let PartPage { partition, page } = page;
        // Validator plugins see the whole page at once.
        let mut plugin_verdicts = Vec::with_capacity(validators.len());
        for v in validators.iter_mut() {
            let verdicts = v.validate(&self.stream, &page.records).await?;
            if verdicts.len() != page.records.len() {
                return Err(Error::Internal(format!(
                    "validator `{}` returned {} verdicts for {} records",
                    v.plugin().name(),
                    verdicts.len(),
                    page.records.len()
                )));
            }
            plugin_verdicts.push((v.plugin().name().to_owned(), verdicts));
        }
        let t = Instant::now();
        let mut batch = Batch::new(partition, page.state, page.done, page.records.len() as u64);
        let (candidates, invalid_keys) = self.check(&page.records, &plugin_verdicts, &mut batch)?;
        self.compare(&page.records, candidates, invalid_keys, &mut batch)?;
        self.invalid.flush()?;
        add(&self.busy.process, t);
        Ok(batch)
    }

    /// Checks and renders the records of a page: the valid ones come back as candidates, the
    /// invalid ones are logged and come back as keys.
    fn check(
        &mut self,
        records: &[Record],
        plugin_verdicts: &[(String, Vec<Verdict>)],
        batch: &mut Batch,
    ) -> Result<(Vec<Candidate>, Vec<String>)> {
        // Within one page the last version of a key wins.
        let mut last_of: HashMap<&str, usize> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            last_of.insert(r.key.as_str(), i);
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut invalid_keys: Vec<String> = Vec::new();
        for (i, record) in records.iter().enumerate() {
            batch.max_cursor = newer(batch.max_cursor.take(), record.cursor.as_ref());
            if !self.full && last_of.get(record.key.as_str()) != Some(&i) {
                // An incremental page may carry two versions of a key; the later one wins.
                batch.fetched -= 1;
                continue;
            }
            if !self.full && self.newest.superseded(&record.key, record.cursor.as_ref()) {
                batch.fetched -= 1;
                continue;
            }
            let fields: Value = match serde_json::from_str(&record.fields) {
                Ok(v) => v,
                Err(e) => {
                    self.reject(record, &[("json", format!("the fields are not JSON: {e}"))])?;
                    batch.invalid += 1;
                    continue;
                }
            };
            let text = self.template.render(&fields);
            let mut violations: Vec<(String, String)> =
                self.rules.check(&record.key, &fields, &text).into_iter().map(|v| (v.rule, v.message)).collect();
            for (plugin, verdicts) in plugin_verdicts {
                for v in &verdicts[i].violations {
                    violations.push((format!("{plugin}/{}", v.rule), v.message.clone()));
                }
            }
            if self.full && !record.key.is_empty() && !self.seen_hashes.insert(key_hash(&record.key)) {
                violations.push(("duplicate-key".into(), format!("key `{}` was already read in this run", record.key)));
            }
            if !violations.is_empty() {
                let v: Vec<(&str, String)> = violations.iter().map(|(r, m)| (r.as_str(), m.clone())).collect();
                self.reject(record, &v)?;
                batch.invalid += 1;
                if !record.key.is_empty() {
                    invalid_keys.push(record.key.clone());
                }
                continue;
            }
            let lexical = self.lexical.as_ref().map(|t| t.render(&fields));
            let expansion = match (&self.expander, &lexical) {
                (Some(e), Some(text)) => e.terms(&self.lexical_encoder, &fields, text),
                _ => Vec::new(),
            };
            if let Some(pairs) = &mut self.pairs {
                pairs.see(&record.key, &fields);
                if let Some(text) = &lexical {
                    pairs.count(&self.lexical_encoder, text);
                }
            }
            let payload = self.payload(&record.key, fields);
            candidates.push((i, text, lexical, expansion, payload));
        }
        Ok((candidates, invalid_keys))
    }

    /// Compares the candidates with the ledger and sorts them into the batch: new and changed
    /// texts to embed, changed payloads to update, unchanged rows to touch.
    fn compare(
        &mut self,
        records: &[Record],
        candidates: Vec<Candidate>,
        invalid_keys: Vec<String>,
        batch: &mut Batch,
    ) -> Result<()> {
        let mut keys: Vec<&str> = candidates.iter().map(|(i, ..)| records[*i].key.as_str()).collect();
        keys.extend(invalid_keys.iter().map(String::as_str));
        let rows = self.state.ledger_get(&self.ledger, &keys)?;
        let (rows, invalid_rows) = rows.split_at(candidates.len());
        for ((i, text, lexical, expansion, payload), old) in candidates.into_iter().zip(rows) {
            let key = records[i].key.clone();
            if let Some(seen) = &mut self.seen_keys {
                seen.insert(key.clone());
            }
            let generation = match old {
                Some(o) if !self.full => o.generation,
                _ => self.generation,
            };
            let row = LedgerRow {
                text_hash: text_hash(&text, lexical.as_deref(), &expansion),
                payload_hash: hash16(payload.as_bytes()),
                generation,
            };
            let item = Item { key, text, lexical, expansion, payload, row };
            match old {
                None => {
                    batch.new += 1;
                    batch.embed.push(item);
                }
                Some(o) if o.text_hash != row.text_hash => {
                    batch.reembedded += 1;
                    batch.embed.push(item);
                }
                Some(o) if o.payload_hash != row.payload_hash => batch.payload_only.push(item),
                Some(o) => {
                    batch.unchanged += 1;
                    if o.generation != row.generation {
                        batch.touch.push((item.key, row));
                    }
                }
            }
        }
        // Invalid records whose earlier version is in the sink keep it (and are not deleted
        // as vanished at the end of a full run).
        for (key, old) in invalid_keys.into_iter().zip(invalid_rows) {
            if let Some(seen) = &mut self.seen_keys {
                seen.insert(key.clone());
            }
            if let Some(o) = old
                && self.full
                && o.generation != self.generation
            {
                batch.touch.push((key, LedgerRow { generation: self.generation, ..*o }));
            }
        }
        Ok(())
    }

    fn payload(&self, key: &str, fields: Value) -> String {
        let mut map = match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let p = &self.settings.payload;
        if let Some(only) = &p.fields {
            map.retain(|k, _| only.iter().any(|f| f == k));
        }
        let ids: Vec<Value> = self
            .settings
            .identifiers
            .iter()
            .filter_map(|f| map.get(f))
            .filter_map(|v| match v {
                Value::String(s) => Some(normalise_identifier(s)),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .map(Value::String)
            .collect();
        for f in &p.exclude {
            map.remove(f);
        }
        if !ids.is_empty() {
            map.insert(IDS_FIELD.to_owned(), Value::Array(ids));
        }
        map.insert(KEY_FIELD.to_owned(), Value::String(key.to_owned()));
        Value::Object(map).to_string()
    }

    fn reject(&mut self, record: &Record, violations: &[(&str, String)]) -> Result<()> {
        if self.settings.on_invalid == InvalidPolicy::Fail {
            let (rule, message) = violations.first().map(|(r, m)| (*r, m.as_str())).unwrap_or(("?", ""));
            return Err(Error::TooManyInvalid {
                pipeline: self.pipeline.clone(),
                invalid: 1,
                seen: 1,
                policy: format!("fail on the first; record `{}` broke `{rule}`: {message}", record.key),
                file: self.invalid.path().to_path_buf(),
            });
        }
        if !self.dry_run {
            self.invalid.write(self.run_id, &self.pipeline, &self.stream, record, violations)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_version_read_after_a_newer_one_is_superseded() {
        let mut newest = NewestCursors::default();
        let (old, new) = ("2026-03-01T09:00:00Z".to_owned(), "2026-03-01T10:05:00+01:00".to_owned());
        let newer_still = "2026-03-01T09:10:00Z".to_owned();
        assert!(!newest.superseded("a", Some(&old)));
        // Later versions pass and become the newest, compared as instants.
        assert!(!newest.superseded("a", Some(&newer_still)));
        assert!(newest.superseded("a", Some(&new)), "09:05Z is older than 09:10Z");
        assert!(newest.superseded("a", Some(&old)));
        assert!(!newest.superseded("a", Some(&newer_still)), "the same version again is not older");
        assert!(!newest.superseded("b", Some(&old)), "keys apart");
        assert!(!newest.superseded("a", None), "no cursor, nothing to compare");
    }
}
