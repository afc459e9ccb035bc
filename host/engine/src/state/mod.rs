//! The state directory: one redb database (ledger, pipeline state and checkpoints, run
//! history, the embedding cache) guarded by a lock file, plus the run's files
//! (`invalid_records.jsonl`, `sync_metrics.json`).
//!
//! Everything is written in transactions; nothing is rewritten in place. A checkpoint (the
//! ledger rows of a batch the sink acknowledged, and the source state after it) is one
//! transaction, so a crash at any instant leaves either the batch or nothing.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};
use weir_embed::ModelId;

use crate::error::{Error, Result};
use crate::report::RunReport;

mod checkpoint;

pub use checkpoint::{Checkpoint, PartitionState};

/// The database file inside the state directory.
pub const DB_FILE: &str = "weir.redb";
/// Memory the state database may keep as its page cache. redb's default is 1 GiB, which a
/// large ledger plus a cache of embeddings would fill, so weir's memory would grow with the
/// catalogue; past this the operating system's file cache serves the pages.
const DB_CACHE_BYTES: usize = 64 << 20;
/// The lock file inside the state directory.
pub const LOCK_FILE: &str = "weir.lock";
/// Invalid records, one JSON object per line, appended by every run.
pub const INVALID_FILE: &str = "invalid_records.jsonl";
/// The report of the latest run.
pub const METRICS_FILE: &str = "sync_metrics.json";

const PIPELINES: TableDefinition<&str, &str> = TableDefinition::new("pipelines");
const RUNS: TableDefinition<u64, &str> = TableDefinition::new("runs");

fn ledger_table(pipeline: &str) -> String {
    format!("ledger/{pipeline}")
}

/// What the ledger knows of one record: the hashes of what was last written for it and the
/// full-sync generation that last saw it in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerRow {
    /// Hash of the embedded text.
    pub text_hash: [u8; 16],
    /// Hash of the payload.
    pub payload_hash: [u8; 16],
    /// The full-sync generation that last saw the key.
    pub generation: u64,
}

impl LedgerRow {
    const LEN: usize = 40;

    fn encode(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        out[..16].copy_from_slice(&self.text_hash);
        out[16..32].copy_from_slice(&self.payload_hash);
        out[32..].copy_from_slice(&self.generation.to_le_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != Self::LEN {
            return Err(Error::State(format!("a ledger row has {} bytes, not {}", bytes.len(), Self::LEN)));
        }
        let mut row = LedgerRow { text_hash: [0; 16], payload_hash: [0; 16], generation: 0 };
        row.text_hash.copy_from_slice(&bytes[..16]);
        row.payload_hash.copy_from_slice(&bytes[16..32]);
        let mut g = [0u8; 8];
        g.copy_from_slice(&bytes[32..]);
        row.generation = u64::from_le_bytes(g);
        Ok(row)
    }
}

/// The durable state of one pipeline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PipelineMeta {
    /// The collection name searches use (an alias in the sink).
    pub collection: Option<String>,
    /// The physical collection the alias points at.
    pub physical: Option<String>,
    /// The model whose vectors the collection holds.
    pub model: Option<ModelId>,
    /// The newest cursor value a finished run committed.
    pub watermark: Option<String>,
    /// The generation of the last full sync that finished (or is in progress).
    pub generation: u64,
    /// Progress of an unfinished run, if one was interrupted.
    pub checkpoint: Option<Checkpoint>,
    /// The last run's id.
    pub last_run: Option<u64>,
    /// When the last successful run finished (ms since the epoch).
    pub last_success_ms: Option<i64>,
    /// The number of rebuilds (the physical collection's version).
    #[serde(default)]
    pub version: u32,
    /// The lexical model (a `LexicalId` key) whose sparse vectors the collection holds beside
    /// the dense ones; `None` for a dense-only collection. Part of the collection's model
    /// identity: a different tokeniser needs a rebuild.
    #[serde(default)]
    pub lexical: Option<String>,
}

/// An open, locked state directory.
#[derive(Debug)]
pub struct StateDir {
    dir: PathBuf,
    db: Arc<Database>,
    /// The last run id handed out by this process: pipelines that run at once start before
    /// any of them is recorded, and each must get its own id.
    issued: std::sync::Mutex<u64>,
    _lock: File,
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// Creates a new, initialised database beside `db_path` and renames it into place, so a
/// process killed while the file is being created leaves either no database or a whole one,
/// never a half-written header that no later run can open. The caller holds the lock.
fn create_db_file(dir: &Path, db_path: &Path) -> Result<()> {
    let fresh = dir.join(format!("{DB_FILE}.new"));
    match std::fs::remove_file(&fresh) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(format!("cannot remove {}", fresh.display()))(e)),
    }
    {
        let db = Database::create(&fresh)?;
        let tx = db.begin_write()?;
        tx.open_table(PIPELINES)?;
        tx.open_table(RUNS)?;
        tx.commit()?;
    }
    std::fs::rename(&fresh, db_path).map_err(io(format!("cannot move {} into place", fresh.display())))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

impl StateDir {
    /// Opens (creating it if needed) and locks `dir`. Fails with [`Error::Locked`] when
    /// another process holds it.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(io(format!("cannot create the state directory {}", dir.display())))?;
        let lock_path = dir.join(LOCK_FILE);
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io(format!("cannot open {}", lock_path.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = lock.read_to_string(&mut pid);
                let pid = pid.trim();
                let holder = if pid.is_empty() { String::new() } else { format!(" (pid {pid})") };
                return Err(Error::Locked { dir, holder });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(format!("cannot lock {}", lock_path.display()))(e)),
        }
        let _ = lock.set_len(0);
        let _ = lock.rewind();
        let _ = write!(lock, "{}", std::process::id());
        let db_path = dir.join(DB_FILE);
        if !db_path.exists() {
            create_db_file(&dir, &db_path)?;
        }
        let db = Database::builder().set_cache_size(DB_CACHE_BYTES).create(&db_path)?;
        let state = Self { dir, db: Arc::new(db), issued: std::sync::Mutex::new(0), _lock: lock };
        state.init()?;
        Ok(state)
    }

    fn init(&self) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(PIPELINES)?;
        tx.open_table(RUNS)?;
        tx.commit()?;
        Ok(())
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The database (shared with the embedding cache).
    pub fn db(&self) -> Arc<Database> {
        self.db.clone()
    }

    /// Path of a file in the state directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The state of `pipeline` (default when it never ran).
    pub fn meta(&self, pipeline: &str) -> Result<PipelineMeta> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(PIPELINES)?;
        match table.get(pipeline)? {
            Some(v) => Ok(serde_json::from_str(v.value())?),
            None => Ok(PipelineMeta::default()),
        }
    }

    /// Every pipeline with state.
    pub fn pipelines(&self) -> Result<Vec<(String, PipelineMeta)>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(PIPELINES)?;
        let mut out = Vec::new();
        for item in table.iter()? {
            let (k, v) = item?;
            out.push((k.value().to_owned(), serde_json::from_str(v.value())?));
        }
        Ok(out)
    }

    /// Writes the state of `pipeline`.
    pub fn put_meta(&self, pipeline: &str, meta: &PipelineMeta) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(PIPELINES)?.insert(pipeline, serde_json::to_string(meta)?.as_str())?;
        tx.commit()?;
        Ok(())
    }

    /// The ledger rows of `keys` (in order).
    pub fn ledger_get(&self, pipeline: &str, keys: &[&str]) -> Result<Vec<Option<LedgerRow>>> {
        let tx = self.db.begin_read()?;
        let name = ledger_table(pipeline);
        let def: TableDefinition<&str, &[u8]> = TableDefinition::new(&name);
        let table = match tx.open_table(def) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(vec![None; keys.len()]),
            Err(e) => return Err(e.into()),
        };
        keys.iter().map(|k| table.get(*k)?.map(|v| LedgerRow::decode(v.value())).transpose()).collect()
    }

    /// Points the ledger holds for `pipeline`.
    pub fn ledger_len(&self, pipeline: &str) -> Result<u64> {
        let tx = self.db.begin_read()?;
        let name = ledger_table(pipeline);
        let def: TableDefinition<&str, &[u8]> = TableDefinition::new(&name);
        match tx.open_table(def) {
            Ok(t) => Ok(t.len()?),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Keys whose row matches `pred`, in key order.
    pub fn ledger_keys_where(
        &self,
        pipeline: &str,
        mut pred: impl FnMut(&str, &LedgerRow) -> bool,
    ) -> Result<Vec<String>> {
        let tx = self.db.begin_read()?;
        let name = ledger_table(pipeline);
        let def: TableDefinition<&str, &[u8]> = TableDefinition::new(&name);
        let table = match tx.open_table(def) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for item in table.iter()? {
            let (k, v) = item?;
            let row = LedgerRow::decode(v.value())?;
            if pred(k.value(), &row) {
                out.push(k.value().to_owned());
            }
        }
        Ok(out)
    }

    /// Commits one acknowledged batch: ledger rows written or removed, and the pipeline's
    /// state, in one transaction.
    pub fn commit(
        &self,
        pipeline: &str,
        put: &[(String, LedgerRow)],
        remove: &[String],
        meta: &PipelineMeta,
    ) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            let name = ledger_table(pipeline);
            let def: TableDefinition<&str, &[u8]> = TableDefinition::new(&name);
            let mut table = tx.open_table(def)?;
            for (key, row) in put {
                table.insert(key.as_str(), row.encode().as_slice())?;
            }
            for key in remove {
                table.remove(key.as_str())?;
            }
            tx.open_table(PIPELINES)?.insert(pipeline, serde_json::to_string(meta)?.as_str())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets every ledger row of `pipeline` (used when a rebuild switches collections).
    pub fn replace_ledger(&self, pipeline: &str, from: &str, meta: &PipelineMeta) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            let name = ledger_table(pipeline);
            let def: TableDefinition<&str, &[u8]> = TableDefinition::new(&name);
            let _ = tx.delete_table(def)?;
            let staged = ledger_table(from);
            let staged: TableDefinition<&str, &[u8]> = TableDefinition::new(&staged);
            tx.rename_table(staged, def)?;
            tx.open_table(PIPELINES)?.insert(pipeline, serde_json::to_string(meta)?.as_str())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a finished run and returns its id.
    pub fn record_run(&self, report: &RunReport) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(RUNS)?.insert(report.run_id, serde_json::to_string(report)?.as_str())?;
        tx.commit()?;
        Ok(())
    }

    /// The id the next run gets: after every recorded run, every interrupted one and every
    /// id this process handed out.
    pub fn next_run_id(&self) -> Result<u64> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(RUNS)?;
        let last = table.last()?.map(|(k, _)| k.value()).unwrap_or(0);
        let pending =
            self.pipelines()?.iter().filter_map(|(_, m)| m.checkpoint.as_ref().map(|c| c.run_id)).max().unwrap_or(0);
        let mut issued = self.issued.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *issued = last.max(pending).max(*issued) + 1;
        Ok(*issued)
    }

    /// The latest `limit` runs (newest first), of one pipeline or all.
    pub fn runs(&self, pipeline: Option<&str>, limit: usize) -> Result<Vec<RunReport>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(RUNS)?;
        let mut out = Vec::new();
        for item in table.iter()?.rev() {
            let (_, v) = item?;
            let report: RunReport = serde_json::from_str(v.value())?;
            if pipeline.is_none_or(|p| p == report.pipeline) {
                out.push(report);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Writes `report` as `sync_metrics.json` (atomically: a temporary file renamed).
    pub fn write_metrics(&self, report: &RunReport) -> Result<()> {
        let path = self.path(METRICS_FILE);
        let tmp = self.path(".sync_metrics.json.tmp");
        let body = serde_json::to_vec_pretty(report)?;
        std::fs::write(&tmp, body).map_err(io(format!("cannot write {}", tmp.display())))?;
        std::fs::rename(&tmp, &path).map_err(io(format!("cannot write {}", path.display())))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::checkpoint::tests::OLD_CHECKPOINT;
    use super::*;

    #[test]
    fn ledger_rows_round_trip() {
        let row = LedgerRow { text_hash: [1; 16], payload_hash: [2; 16], generation: 7 };
        assert_eq!(LedgerRow::decode(&row.encode()).unwrap(), row);
        assert!(LedgerRow::decode(&[0; 3]).is_err());
    }

    #[test]
    fn a_second_open_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = StateDir::open(dir.path()).unwrap();
        let err = StateDir::open(dir.path()).unwrap_err();
        assert!(matches!(err, Error::Locked { .. }), "{err}");
        assert!(err.to_string().contains(&format!("pid {}", std::process::id())), "{err}");
        drop(first);
        StateDir::open(dir.path()).unwrap();
    }

    #[test]
    fn runs_started_together_get_their_own_ids() {
        let dir = tempfile::tempdir().unwrap();
        let s = StateDir::open(dir.path()).unwrap();
        let (a, b) = (s.next_run_id().unwrap(), s.next_run_id().unwrap());
        assert_eq!((a, b), (1, 2));
        // An interrupted run's id is not handed out again.
        let checkpoint: Checkpoint = serde_json::from_str(OLD_CHECKPOINT).unwrap();
        s.put_meta("p", &PipelineMeta { checkpoint: Some(checkpoint), ..Default::default() }).unwrap();
        assert_eq!(s.next_run_id().unwrap(), 8);
    }

    #[test]
    fn commits_are_atomic_and_persist() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = StateDir::open(dir.path()).unwrap();
            let row = LedgerRow { text_hash: [1; 16], payload_hash: [2; 16], generation: 1 };
            let meta = PipelineMeta { watermark: Some("2026-01-01T00:00:00Z".into()), ..Default::default() };
            s.commit("p", &[("a".into(), row), ("b".into(), row)], &[], &meta).unwrap();
            s.commit("p", &[], &["a".into()], &meta).unwrap();
        }
        let s = StateDir::open(dir.path()).unwrap();
        assert_eq!(s.ledger_len("p").unwrap(), 1);
        assert_eq!(s.ledger_get("p", &["a", "b"]).unwrap().iter().filter(|r| r.is_some()).count(), 1);
        assert_eq!(s.meta("p").unwrap().watermark.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(s.ledger_len("other").unwrap(), 0);
    }

    #[test]
    fn a_creation_cut_short_leaves_no_database_and_the_next_open_starts_clean() {
        let dir = tempfile::tempdir().unwrap();
        // A process killed while creating the database leaves at most a partial file beside
        // it; the database itself appears only whole, by rename.
        let whole = tempfile::tempdir().unwrap();
        drop(StateDir::open(whole.path()).unwrap());
        let bytes = std::fs::read(whole.path().join(DB_FILE)).unwrap();
        std::fs::write(dir.path().join(format!("{DB_FILE}.new")), &bytes[..bytes.len().min(700)]).unwrap();
        let s = StateDir::open(dir.path()).unwrap();
        assert_eq!(s.ledger_len("p").unwrap(), 0);
        assert!(!dir.path().join(format!("{DB_FILE}.new")).exists());
        drop(s);
        StateDir::open(dir.path()).unwrap();
    }
}
