//! Storage: collections (one engine shard each), their metadata, and the alias table.
//!
//! Layout under the storage directory:
//!
//! ```text
//! aliases.json                      alias -> collection, replaced atomically (temp + rename)
//! collections/<name>/collection.json  vector size and distance, written once at creation
//! collections/<name>/shard/         the engine's shard directory
//! collections/<name>/journal        updates not yet flushed into the shard (see `journal`)
//! collections/<name>/sealing.json   present only while the shard's segments are being sealed
//!                                   (see `Collection::seal`): the segments before it began
//! collections/<name>/sealing-backup/  those segments, hard-linked, to go back to
//! ```
//!
//! A collection is built in a hidden `.tmp-*` directory and renamed into place, and deleted by
//! renaming it to a hidden `.deleting-*` directory first, so a crash never leaves a half
//! collection under a real name; hidden leftovers are removed at the next start.
//!
//! Engine calls are blocking: callers run them on blocking threads.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use qdrant_edge::{
    CountRequest, EdgeConfig, EdgeOptimizersConfig, EdgeShard, EdgeSparseVectorParamsBuilder, EdgeVectorParams,
    HnswIndexConfig, OperationResult, PointInsertOperations, PointOperations, QuantizationConfig, UpdateOperation,
    WalOptions,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Error, Result};
use crate::journal::{Journal, Records};

const ALIASES_FILE: &str = "aliases.json";
const COLLECTIONS_DIR: &str = "collections";
const META_FILE: &str = "collection.json";
const SHARD_DIR: &str = "shard";
const JOURNAL_FILE: &str = "journal";
/// Written while a seal runs (see [`Collection::seal`]).
const SEALING_FILE: &str = "sealing.json";
/// The segments as they were before a seal, hard-linked (see [`Collection::seal`]).
const SEALING_BACKUP_DIR: &str = "sealing-backup";
/// The engine's log directory inside a shard.
const ENGINE_LOG_DIR: &str = "wal";
/// The engine's segment directories inside a shard, and where it builds new ones.
const ENGINE_SEGMENTS_DIR: &str = "segments";
const ENGINE_TEMP_SEGMENTS_DIR: &str = "temp_segments";
/// Points written into a collection's appendable segment after which it is sealed, by default
/// (see [`Collection::seal`]). The cost of a sparse vector's insert grows with the number of
/// points in the appendable segment that share its terms; past about this many, sealing is
/// cheaper than going on; below it, each seal's own cost (which grows with the collection's
/// segments) outweighs what the smaller segment saves. Measured in `docs/BENCHMARKS.md`
/// ("qdrant-local: sparse ingest", "hybrid sync against dense-only: where the rest goes").
pub(crate) const SEAL_POINTS: usize = 10_000;
/// Segments the engine's optimizers may keep before they merge: far more than sealing makes in
/// practice, so that they never merge (see [`sealing_optimizers`]).
const MAX_SEGMENTS: usize = 100_000;
/// Share of a sealed segment's points that may be deleted (rewritten points leave their old
/// copy behind, marked deleted) before a seal also rebuilds it without them.
const VACUUM_DELETED: f64 = 0.2;
/// Sealed segments with fewer points are not rebuilt for their deleted points.
const VACUUM_MIN_POINTS: usize = 1_000;
/// Size of the engine's log segments in collections created here (the engine's default is
/// 32 MiB).
const ENGINE_LOG_SEGMENT_BYTES: usize = 8 << 20;
/// Closed segments the engine's log may hold before the shard is reopened to drop them.
const ENGINE_LOG_SEGMENTS: usize = 8;
/// The engine's name for the single unnamed vector.
pub(crate) const VECTOR_NAME: &str = "";
/// Largest dense vector dimension accepted (Qdrant's limit).
const MAX_DIM: usize = 65_536;
/// Longest collection or alias name accepted (a directory name must fit in 255 bytes).
const MAX_NAME_LEN: usize = 200;
/// How long a delete or a close waits for in-flight requests to let go of a collection.
const RELEASE_WAIT: Duration = Duration::from_secs(30);

/// Distance function of a collection, named as in Qdrant's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Distance {
    /// Cosine similarity (vectors are normalised on insert).
    Cosine,
    /// Euclidean distance.
    Euclid,
    /// Dot product.
    Dot,
    /// Manhattan distance.
    Manhattan,
}

impl Distance {
    fn engine(self) -> qdrant_edge::Distance {
        match self {
            Self::Cosine => qdrant_edge::Distance::Cosine,
            Self::Euclid => qdrant_edge::Distance::Euclid,
            Self::Dot => qdrant_edge::Distance::Dot,
            Self::Manhattan => qdrant_edge::Distance::Manhattan,
        }
    }
}

/// One dense vector of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenseParams {
    /// Dimension.
    pub size: usize,
    /// Distance function.
    pub distance: Distance,
    /// Whether the vectors live in memory-mapped files (`true`: the process holds only the
    /// pages in use, so its memory does not grow with the collection, and opening it reads
    /// nothing) or are loaded into memory (`false`: full scans run faster). Collections
    /// created before this setting existed have their vectors in memory.
    #[serde(default)]
    pub on_disk: bool,
}

impl DenseParams {
    /// The vectors' placement as Qdrant's `memory` names it.
    pub fn memory(&self) -> &'static str {
        if self.on_disk { "cold" } else { "cached" }
    }
}

/// One sparse vector of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SparseParams {
    /// `idf`: the engine weighs each query dimension by its inverse document frequency in the
    /// collection at search time (BM25 from term frequencies stored in the points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifier: Option<qdrant_edge::Modifier>,
}

/// What a collection was created with; stored in `collection.json`.
///
/// Dense vectors by name (the unnamed vector of a single-vector collection is named `""`, as in
/// the engine and in Qdrant) and sparse vectors by name. The file keeps the unnamed vector in
/// the shape it has had since the first release (`{"size", "distance", "on_disk"}` at the top),
/// so files written before named vectors existed read unchanged, and a single-vector collection
/// still writes a file older releases read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MetaFile", into = "MetaFile")]
pub struct CollectionMeta {
    /// Dense vectors by name; `""` is the unnamed one, and then the only dense vector.
    pub dense: BTreeMap<String, DenseParams>,
    /// Sparse vectors by name.
    pub sparse: BTreeMap<String, SparseParams>,
}

/// `collection.json` as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    distance: Option<Distance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on_disk: Option<bool>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    vectors: BTreeMap<String, DenseParams>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    sparse_vectors: BTreeMap<String, SparseParams>,
}

impl TryFrom<MetaFile> for CollectionMeta {
    type Error = String;
    fn try_from(f: MetaFile) -> Result<Self, String> {
        let mut dense = f.vectors;
        match (f.size, f.distance) {
            (Some(size), Some(distance)) => {
                if !dense.is_empty() {
                    return Err("both an unnamed vector and named vectors".into());
                }
                dense.insert(
                    VECTOR_NAME.to_owned(),
                    DenseParams { size, distance, on_disk: f.on_disk.unwrap_or(false) },
                );
            }
            (None, None) if f.on_disk.is_none() => {}
            _ => return Err("`size` and `distance` go together".into()),
        }
        Ok(Self { dense, sparse: f.sparse_vectors })
    }
}

impl From<CollectionMeta> for MetaFile {
    fn from(mut m: CollectionMeta) -> Self {
        let unnamed = m.dense.remove(VECTOR_NAME);
        Self {
            size: unnamed.map(|d| d.size),
            distance: unnamed.map(|d| d.distance),
            on_disk: unnamed.map(|d| d.on_disk),
            vectors: m.dense,
            sparse_vectors: m.sparse,
        }
    }
}

impl CollectionMeta {
    /// A collection of one unnamed dense vector.
    #[cfg(test)]
    pub fn single(size: usize, distance: Distance, on_disk: bool) -> Self {
        Self {
            dense: BTreeMap::from([(VECTOR_NAME.to_owned(), DenseParams { size, distance, on_disk })]),
            sparse: BTreeMap::new(),
        }
    }

    /// The unnamed dense vector, if the collection has one.
    pub fn unnamed(&self) -> Option<&DenseParams> {
        self.dense.get(VECTOR_NAME)
    }

    /// Checks what a create request asked for, in Qdrant's terms.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.dense.is_empty() && self.sparse.is_empty() {
            return Err(ApiError::bad_request(
                "a collection needs at least one dense (`vectors`) or sparse (`sparse_vectors`) vector",
            ));
        }
        if self.dense.contains_key(VECTOR_NAME) && self.dense.len() > 1 {
            return Err(ApiError::bad_request("the unnamed vector cannot be mixed with named dense vectors"));
        }
        for (name, d) in &self.dense {
            if d.size == 0 || d.size > MAX_DIM {
                let at = if name.is_empty() { "vectors.size".to_owned() } else { format!("vectors.{name}.size") };
                return Err(ApiError::validation(format!(
                    "{at}: value {} invalid, must be from 1 to {MAX_DIM}",
                    d.size
                )));
            }
        }
        for name in self.dense.keys().chain(self.sparse.keys()) {
            if name.len() > MAX_NAME_LEN {
                return Err(ApiError::bad_request(format!(
                    "vector name `{}…` is too long: at most {MAX_NAME_LEN} bytes",
                    name.chars().take(32).collect::<String>()
                )));
            }
        }
        if self.sparse.contains_key(VECTOR_NAME) {
            return Err(ApiError::bad_request("a sparse vector needs a name"));
        }
        if let Some(name) = self.sparse.keys().find(|n| self.dense.contains_key(*n)) {
            return Err(ApiError::bad_request(format!(
                "vector name `{name}` is used by both a dense and a sparse vector"
            )));
        }
        Ok(())
    }

    /// Where a create request puts the vectors: Qdrant's `memory` (`cold`: on disk, `cached`:
    /// loaded into memory; `pinned` is refused, as Qdrant refuses it for dense vectors), else
    /// the deprecated `on_disk`, else on disk. Qdrant's own default is `cached`; qdrant-local
    /// runs inside weir's process on one machine, where memory that grows with the catalogue
    /// costs more than slower full scans.
    pub fn vectors_on_disk(on_disk: Option<bool>, memory: Option<&str>) -> Result<bool, String> {
        match memory {
            Some("cold") => Ok(true),
            Some("cached") => Ok(false),
            Some("pinned") => Err("`memory: pinned` is not supported for dense vector storage".into()),
            Some(other) => Err(format!("unknown `memory` placement `{other}`: expected cold, cached or pinned")),
            None => Ok(on_disk.unwrap_or(true)),
        }
    }
}

/// One open collection.
pub(crate) struct Collection {
    pub name: String,
    pub meta: CollectionMeta,
    /// Its directory (`collections/<name>`).
    dir: PathBuf,
    /// `None` only while the shard is being reopened, after a failed reopen, or once dropped.
    shard: RwLock<Option<EdgeShard>>,
    /// Serialises updates and flushes (the engine's flush panics if an update holds its WAL),
    /// and holds the journal updates are appended to before they are applied.
    write: Mutex<Journal>,
    dirty: AtomicBool,
    op_seq: AtomicU64,
    durable: bool,
    /// Points written since the appendable segment was last sealed (an upper bound: rewrites of
    /// the same point count again).
    unsealed: AtomicUsize,
    /// Set while a seal runs: one at a time.
    sealing: AtomicBool,
    /// Points after which the appendable segment is sealed ([`SealPolicy::points`]).
    seal_at: usize,
    /// Woken when `unsealed` reaches `seal_at`, so a seal starts at once rather than at the
    /// next periodic flush ([`SealPolicy::wake`]).
    seal_wake: Option<Arc<tokio::sync::Notify>>,
}

/// When collections' appendable segments are sealed.
#[derive(Clone, Debug)]
pub(crate) struct SealPolicy {
    /// Points written into a collection's appendable segment after which it is sealed.
    pub points: usize,
    /// Notified by the write that makes a collection due for a seal; without it, seals start
    /// only at the periodic flush, and at a few thousand points a second the appendable
    /// segment grows up to a second's writes past `points` first.
    pub wake: Option<Arc<tokio::sync::Notify>>,
}

impl SealPolicy {
    /// Seals every `points` points, at the periodic flush only.
    pub fn every(points: usize) -> Self {
        Self { points: points.max(1), wake: None }
    }
}

/// The open shard of a collection, read-locked while in use.
pub(crate) struct ShardRef<'a>(std::sync::RwLockReadGuard<'a, Option<EdgeShard>>);

impl std::ops::Deref for ShardRef<'_> {
    type Target = EdgeShard;
    fn deref(&self) -> &EdgeShard {
        match &*self.0 {
            Some(s) => s,
            None => unreachable!("a ShardRef is only made over an open shard"),
        }
    }
}

impl Drop for Collection {
    fn drop(&mut self) {
        // Closing the engine's shard flushes it, and that flush panics on an IO error (say, the
        // directory was removed underneath); a panic in a drop during unwinding would abort.
        let shard = self.shard.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(shard) = shard {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(shard))).is_err() {
                tracing::error!(collection = %self.name, "closing the collection failed");
            } else {
                if let Err(e) = lock(&self.write).clear(true) {
                    tracing::warn!(collection = %self.name, error = %e, "could not empty the journal");
                }
                prune_engine_log(&self.dir.join(SHARD_DIR));
            }
        }
    }
}

impl Collection {
    /// Opens the collection in `dir`: loads its shard, applies what its journal still holds
    /// (updates acknowledged after the last flush of a process that then died) and flushes.
    fn open(name: String, dir: &Path, meta: CollectionMeta, durable: bool, seal: &SealPolicy) -> Result<Self> {
        let shard = load_shard(&name, dir)?;
        let journal_path = dir.join(JOURNAL_FILE);
        let mut journal = Journal::open(&journal_path).map_err(io_err(&journal_path))?;
        journal.clear(true).map_err(io_err(&journal_path))?;
        seal_finished(dir)?;
        // A collection that has never been sealed has all its points in its appendable
        // segment (collections created before sealing existed): they count.
        let info = shard.info();
        let unsealed = if info.segments_count == 1 { info.points_count } else { 0 };
        Ok(Self {
            name,
            dir: dir.to_owned(),
            shard: RwLock::new(Some(shard)),
            write: Mutex::new(journal),
            dirty: AtomicBool::new(false),
            op_seq: AtomicU64::new(0),
            durable,
            unsealed: AtomicUsize::new(unsealed),
            sealing: AtomicBool::new(false),
            seal_at: seal.points.max(1),
            seal_wake: seal.wake.clone(),
            meta,
        })
    }

    /// The engine shard; an error if it could not be reopened (see [`Collection::recycle`]).
    pub fn shard(&self) -> Result<ShardRef<'_>, ApiError> {
        let guard = lock_read(&self.shard);
        if guard.is_none() {
            return Err(ApiError::internal(format!(
                "collection `{}` is closed: reopening it failed (see the server's log); it is retried every second",
                self.name
            )));
        }
        Ok(ShardRef(guard))
    }

    /// Applies one update; returns the operation number reported to clients.
    pub fn update(&self, op: UpdateOperation) -> Result<u64, ApiError> {
        self.update_many(vec![op]).map(|seq| seq.first().copied().unwrap_or_default())
    }

    /// Applies updates in order under one lock: journalled first (and, when durable, the
    /// journal synced to disk), then applied. An acknowledged write survives a crash of the
    /// process, and when durable of the machine. Stops at the first failure: the updates
    /// before it stay applied (as in Qdrant).
    pub fn update_many(&self, ops: Vec<UpdateOperation>) -> Result<Vec<u64>, ApiError> {
        let journal_error = |e: std::io::Error, path: &Path| {
            ApiError::internal(format!("cannot write the journal {}: {e}", path.display()))
        };
        // Encoded before taking the lock: writers only queue for the write itself.
        let records = Records::encode(&ops)
            .map_err(|e| ApiError::internal(format!("cannot encode an update for the journal: {e}")))?;
        let mut journal = lock(&self.write);
        let shard = self.shard()?;
        let starts = journal.append_encoded(&records, self.durable).map_err(|e| journal_error(e, journal.path()))?;
        self.dirty.store(true, Ordering::Release);
        let mut seq = Vec::with_capacity(ops.len());
        let mut due = false;
        for (op, start) in ops.into_iter().zip(starts) {
            let written = points_written(&op);
            let before = self.unsealed.fetch_add(written, Ordering::Relaxed);
            due |= before < self.seal_at && before + written >= self.seal_at;
            if let Err(e) = shard.update(op) {
                // This update and those after it were not applied: they must not be replayed.
                journal.truncate(start, self.durable).map_err(|e| journal_error(e, journal.path()))?;
                return Err(ApiError::from_engine(e));
            }
            seq.push(self.op_seq.fetch_add(1, Ordering::Relaxed));
        }
        if due && let Some(wake) = &self.seal_wake {
            wake.notify_one();
        }
        Ok(seq)
    }

    /// How the collection's dense vectors are quantized in sealed segments, if they are.
    pub fn quantization(&self) -> Result<Option<QuantizationConfig>, ApiError> {
        Ok(self.shard()?.config().quantization_config.clone())
    }

    /// Exact number of points.
    pub fn count_all(&self) -> OperationResult<usize> {
        match self.shard() {
            Ok(shard) => shard.count(CountRequest { filter: None, exact: true }),
            Err(e) => Err(qdrant_edge::OperationError::service_error(e.to_string())),
        }
    }

    /// Writes everything to disk if anything changed since the last flush, and reopens the
    /// shard when the engine's own log has grown past [`ENGINE_LOG_SEGMENTS`] (four times that
    /// while updates keep coming).
    fn flush_if_dirty(&self) {
        if self.sealing.load(Ordering::Acquire) {
            // The seal holds the write lock and flushes when it is done.
            return;
        }
        let mut journal = lock(&self.write);
        let busy = self.dirty.swap(false, Ordering::AcqRel);
        if busy {
            self.flush_locked(&mut journal);
        }
        let closed = lock_read(&self.shard).is_none();
        // Reopening blocks the collection for a moment (150-250 ms at 100k points): done when
        // a second passed without updates or, under a steady load, only once the log is four
        // times as long.
        let segments = closed_log_segments(&self.dir.join(SHARD_DIR)).len();
        let long = segments > ENGINE_LOG_SEGMENTS && (!busy || segments > 4 * ENGINE_LOG_SEGMENTS);
        // Only a fully flushed shard may be closed: its journal is then empty, and reopening
        // loses nothing. A shard that failed to reopen is tried again.
        if journal.is_empty() && (closed || long) {
            self.recycle();
        }
    }

    fn flush_locked(&self, journal: &mut Journal) {
        let Ok(shard) = self.shard() else { return };
        // The engine's flush unwraps internally; keep a failure from taking the server down.
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| shard.flush()));
        if res.is_err() {
            tracing::error!(collection = %self.name, "flush failed");
            self.dirty.store(true, Ordering::Release);
        } else if let Err(e) = journal.clear(self.durable) {
            tracing::warn!(collection = %self.name, error = %e, "could not empty the journal");
        }
    }

    /// Closes and reopens the shard (with the write lock held and the journal empty): the
    /// engine appends every update to a log it never truncates, and only a closed shard's log
    /// can be pruned. Also reopens a shard whose reopening failed before.
    fn recycle(&self) {
        let mut slot = self.shard.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let shard_dir = self.dir.join(SHARD_DIR);
        if let Some(shard) = slot.take() {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(shard))).is_err() {
                tracing::error!(collection = %self.name, "closing the shard to prune its log failed");
            }
            prune_engine_log(&shard_dir);
        }
        match load_shard(&self.name, &self.dir) {
            Ok(shard) => {
                *slot = Some(shard);
                if let Err(e) = seal_finished(&self.dir) {
                    tracing::warn!(collection = %self.name, error = %e, "could not remove the sealing file");
                }
            }
            Err(e) => tracing::error!(collection = %self.name, error = %e, "reopening the shard failed"),
        }
    }

    /// Whether enough points were written since the last seal to seal again, and no seal runs.
    pub fn seal_due(&self) -> bool {
        !self.sealing.load(Ordering::Acquire) && self.unsealed.load(Ordering::Relaxed) >= self.seal_at
    }

    /// Seals the shard's appendable segment: the engine's optimizer rebuilds it as an immutable
    /// segment (its sparse vectors' index built in bulk, its dense vectors under an index
    /// without a graph, searched by a full scan as before) and opens a new, empty appendable
    /// segment. The engine's sparse index updates a term's whole posting list on every insert
    /// into an appendable segment, so an insert costs in proportion to the points there that
    /// share its terms; sealing bounds that. The same run rebuilds sealed segments of which
    /// more than [`VACUUM_DELETED`] of the points were deleted or rewritten since.
    ///
    /// Searches go on while it runs; updates wait (about half a second per 10,000 points), so the
    /// journal stays empty and the segments from before it are not changed: they are
    /// hard-linked aside first, and a seal cut short (a crash, an engine error) goes back to
    /// them (see [`recover_interrupted_seal`]). Returns whether it sealed.
    pub fn seal(&self) -> bool {
        if self.sealing.swap(true, Ordering::AcqRel) {
            return false;
        }
        let mut journal = lock(&self.write);
        let sealed = self.seal_locked(&mut journal);
        self.sealing.store(false, Ordering::Release);
        sealed
    }

    fn seal_locked(&self, journal: &mut Journal) -> bool {
        let shard_dir = self.dir.join(SHARD_DIR);
        // Everything on disk and the journal empty: what a crash during the seal falls back to.
        self.dirty.store(false, Ordering::Release);
        self.flush_locked(journal);
        if !journal.is_empty() || lock_read(&self.shard).is_none() {
            self.dirty.store(true, Ordering::Release);
            return false;
        }
        let before = segment_dirs(&shard_dir);
        let marker = self.dir.join(SEALING_FILE);
        let backup = self.dir.join(SEALING_BACKUP_DIR);
        // The backup first, then the file that says it is complete.
        let written = remove_dir_if_present(&backup)
            .and_then(|()| fs::create_dir(&backup))
            .and_then(|()| {
                before
                    .iter()
                    .try_for_each(|name| link_tree(&shard_dir.join(ENGINE_SEGMENTS_DIR).join(name), &backup.join(name)))
            })
            .and_then(|()| serde_json::to_vec(&before).map_err(std::io::Error::other))
            .and_then(|b| write_atomic(&marker, &b));
        if let Err(e) = written {
            tracing::warn!(collection = %self.name, error = %e, "cannot back the segments up; not sealing");
            let _ = fs::remove_file(&marker);
            let _ = remove_dir_if_present(&backup);
            return false;
        }
        let started = Instant::now();
        let res = match self.shard() {
            Ok(shard) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| shard.optimize())),
            Err(_) => Ok(Ok(false)),
        };
        match res {
            Ok(Ok(sealed)) => {
                self.unsealed.store(0, Ordering::Relaxed);
                self.flush_locked(journal);
                if let Err(e) = seal_finished(&self.dir) {
                    tracing::warn!(collection = %self.name, error = %e, "could not remove the sealing file");
                }
                tracing::info!(collection = %self.name, sealed, ms = started.elapsed().as_millis() as u64, "appendable segment sealed");
                sealed
            }
            failed => {
                let error = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => "the engine panicked".to_owned(),
                };
                tracing::error!(collection = %self.name, %error, "sealing failed; reopening the collection as it was before");
                // Only a closed shard can be put back as it was; the journal (empty, updates
                // waited) then holds nothing to replay. Tried again after as many points more.
                self.recycle();
                self.unsealed.store(0, Ordering::Relaxed);
                false
            }
        }
    }
}

/// What an update writes into the appendable segment, in points.
fn points_written(op: &UpdateOperation) -> usize {
    match op {
        UpdateOperation::PointOperation(PointOperations::UpsertPoints(PointInsertOperations::PointsList(points))) => {
            points.len()
        }
        UpdateOperation::PointOperation(PointOperations::UpsertPoints(PointInsertOperations::PointsBatch(batch))) => {
            batch.ids.len()
        }
        _ => 0,
    }
}

/// Names of the segment directories in `shard_dir`, sorted (hidden ones, the engine's leftovers,
/// left out).
fn segment_dirs(shard_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(shard_dir.join(ENGINE_SEGMENTS_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| !n.starts_with('.') && !n.ends_with(".deleted"))
        .collect();
    names.sort();
    names
}

/// Puts the segments of a shard whose seal was cut short (by a crash, or an engine error) back
/// as they were before it; the shard is closed.
///
/// The sealing file is written once the backup of the segments (hard links, taken right after
/// a flush, while updates wait) is complete, and the seal does not change those segments'
/// files: it builds new segments and then deletes the old ones (renaming them away first). So
/// every segment directory not in the backup is removed (their points are in the old ones),
/// and every one of the backup that is missing is moved back; the journal, empty when the seal
/// began, then applies what came after. Running this again after a crash in it does the same.
/// Without a sealing file, a backup left over from a seal that finished is removed.
fn recover_interrupted_seal(dir: &Path) -> Result<()> {
    let marker = dir.join(SEALING_FILE);
    let backup = dir.join(SEALING_BACKUP_DIR);
    let before: Vec<String> = match fs::read(&marker) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Storage {
            path: marker.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return remove_dir_if_present(&backup).map_err(io_err(&backup));
        }
        Err(e) => return Err(io_err(&marker)(e)),
    };
    let shard_dir = dir.join(SHARD_DIR);
    let segments = shard_dir.join(ENGINE_SEGMENTS_DIR);
    for name in segment_dirs(&shard_dir).iter().filter(|n| !before.contains(n)) {
        let path = segments.join(name);
        tracing::info!(segment = %path.display(), "removing a segment of an interrupted seal");
        fs::remove_dir_all(&path).map_err(io_err(&path))?;
    }
    for name in &before {
        let (saved, path) = (backup.join(name), segments.join(name));
        if !path.exists() {
            tracing::info!(segment = %path.display(), "restoring a segment an interrupted seal removed");
            fs::rename(&saved, &path).map_err(io_err(&saved))?;
        }
    }
    let temp = shard_dir.join(ENGINE_TEMP_SEGMENTS_DIR);
    remove_dir_if_present(&temp).map_err(io_err(&temp))?;
    if let Ok(d) = fs::File::open(&segments) {
        // Best effort: the renames above, durable before the backup goes.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes a directory tree if it exists.
fn remove_dir_if_present(path: &Path) -> std::io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Recreates the directory tree `from` at `to`, its files as hard links.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            link_tree(&entry.path(), &target)?;
        } else {
            fs::hard_link(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Removes the sealing file, then the backup, once the shard has been flushed after a seal
/// (or loaded after its recovery).
fn seal_finished(dir: &Path) -> Result<()> {
    let marker = dir.join(SEALING_FILE);
    match fs::remove_file(&marker) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&marker)(e)),
    }
    if let Ok(d) = fs::File::open(dir) {
        // Best effort: the sealing file gone for good before the backup goes.
        let _ = d.sync_all();
    }
    let backup = dir.join(SEALING_BACKUP_DIR);
    remove_dir_if_present(&backup).map_err(io_err(&backup))
}

/// Loads the shard of the collection in `dir` (closed): puts an interrupted seal right, loads,
/// brings the engine's settings for sealing up to date (collections created before sealing
/// existed), and applies what the journal still holds (updates acknowledged after the last
/// flush of a process that then died) and flushes. The caller empties the journal and removes
/// the sealing file afterwards.
fn load_shard(name: &str, dir: &Path) -> Result<EdgeShard> {
    let engine = |e: qdrant_edge::OperationError| Error::Engine { collection: name.to_owned(), message: e.to_string() };
    let shard_dir = dir.join(SHARD_DIR);
    recover_interrupted_seal(dir)?;
    prune_engine_log(&shard_dir);
    let shard = load_engine(&shard_dir).map_err(engine)?;
    let (hnsw, optimizers) = {
        let config = shard.config();
        (config.hnsw_config != no_graph(), config.optimizers != sealing_optimizers())
    };
    if hnsw {
        shard.set_hnsw_config(no_graph()).map_err(engine)?;
    }
    if optimizers {
        shard.set_optimizers_config(sealing_optimizers()).map_err(engine)?;
    }
    let journal_path = dir.join(JOURNAL_FILE);
    let (ops, note) = Journal::read(&journal_path).map_err(io_err(&journal_path))?;
    if let Some(note) = note {
        tracing::warn!(collection = %name, "journal ends with {note}: an update cut short by a crash, never acknowledged");
    }
    if !ops.is_empty() {
        tracing::info!(collection = %name, updates = ops.len(), "replaying updates not yet flushed");
        // Each of them succeeded once (failed updates are cut from the journal): a failure
        // now (a full disk, say) keeps the journal and the collection closed, to try again.
        let replayed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for op in ops {
                shard.update(op).map_err(|e| format!("replaying the journal: {e}"))?;
            }
            shard.flush();
            Ok::<(), String>(())
        }));
        let failed = match replayed {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some("flushing the replayed journal failed".to_owned()),
        };
        if let Some(message) = failed {
            // Closing flushes, and that may panic too.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(shard)));
            return Err(Error::Engine { collection: name.to_owned(), message });
        }
    }
    Ok(shard)
}

/// How long [`load_engine`] waits for a log lock that another process holds for a moment.
const LOG_LOCK_WAIT: Duration = Duration::from_secs(10);

/// Loads the engine's shard in `shard_dir`, waiting up to [`LOG_LOCK_WAIT`] while its log's
/// lock is taken. The lock is a `flock` on the log directory, and a child process started
/// by any thread of this process shares that descriptor from its fork to its exec: a shard
/// closed in that window stays locked until the child has started its program. (Seen when
/// a collection is created, built under a temporary name, closed and reopened, while the
/// process embedding the server starts other programs.)
fn load_engine(shard_dir: &Path) -> Result<EdgeShard, qdrant_edge::OperationError> {
    let deadline = Instant::now() + LOG_LOCK_WAIT;
    loop {
        match EdgeShard::load(shard_dir, None) {
            Err(e) if e.to_string().contains("WouldBlock") && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            done => return done,
        }
    }
}

/// The engine's closed log segments (`closed-<first index>`) in `shard_dir`, oldest first.
fn closed_log_segments(shard_dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut found: Vec<(u64, PathBuf)> = fs::read_dir(shard_dir.join(ENGINE_LOG_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let index = e.file_name().to_str()?.strip_prefix("closed-")?.parse().ok()?;
            Some((index, e.path()))
        })
        .collect();
    found.sort();
    found
}

/// Deletes all but the newest closed segment of a closed shard's log. The engine never reads
/// its log back, and the newest closed segment keeps its numbering going where it was.
fn prune_engine_log(shard_dir: &Path) {
    let closed = closed_log_segments(shard_dir);
    for (_, path) in closed.iter().take(closed.len().saturating_sub(1)) {
        if let Err(e) = fs::remove_file(path) {
            tracing::warn!(file = %path.display(), error = %e, "could not remove an old log segment");
        }
    }
}

struct Inner {
    collections: HashMap<String, Arc<Collection>>,
    aliases: BTreeMap<String, String>,
}

/// One change of the alias table; a list of them is applied all or nothing.
#[derive(Debug, Clone)]
pub(crate) enum AliasAction {
    Create { collection: String, alias: String },
    Delete { alias: String },
    Rename { old: String, new: String },
}

/// All collections and aliases under one storage directory.
pub(crate) struct Store {
    root: PathBuf,
    inner: RwLock<Inner>,
    /// Held while a collection is being created or deleted (slow, filesystem-bound).
    ddl: Mutex<()>,
    /// Sync every update's journal record before answering it.
    durable: bool,
    /// When collections' appendable segments are sealed.
    seal: SealPolicy,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn lock_read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Storage { path: path.display().to_string(), source }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so readers see the old or
/// the new content, never a mix.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent()
        && let Ok(d) = fs::File::open(dir)
    {
        // Best effort: makes the rename itself durable on filesystems that need it.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Checks a collection or alias name: it becomes a directory name.
pub(crate) fn validate_name(kind: &str, name: &str) -> Result<(), ApiError> {
    let bad = name.is_empty()
        || name.len() > MAX_NAME_LEN
        || name.starts_with('.')
        || name.chars().any(|c| matches!(c, '/' | '\\' | '\0' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        || name.chars().any(char::is_control);
    if bad {
        return Err(ApiError::bad_request(format!(
            "{kind} name `{name}` is invalid: use 1 to {MAX_NAME_LEN} characters, no path \
             separators or special characters, not starting with a dot"
        )));
    }
    Ok(())
}

/// The most common quantile of a scalar quantization's value range (Qdrant's `quantile`).
const SCALAR_QUANTILE: f32 = 0.99;

/// Scalar (int8) quantization of dense vectors, as Qdrant's `{"scalar": {"type": "int8",
/// "quantile", "always_ram"}}` describes it (`always_ram` unset: the quantized vectors live
/// where the original ones do).
pub(crate) fn scalar_quantization(
    quantile: Option<f32>,
    always_ram: Option<bool>,
) -> Result<QuantizationConfig, ApiError> {
    if let Some(q) = quantile
        && !(0.5..=1.0).contains(&q)
    {
        return Err(ApiError::validation(format!(
            "quantization_config.scalar.quantile: value {q} invalid, must be from 0.5 to 1"
        )));
    }
    // The engine's scalar config type is not exported on its own: built from its JSON form.
    let mut scalar = serde_json::Map::new();
    scalar.insert("type".into(), "int8".into());
    if let Some(q) = quantile {
        scalar.insert("quantile".into(), serde_json::json!(q));
    }
    if let Some(a) = always_ram {
        scalar.insert("always_ram".into(), a.into());
    }
    serde_json::from_value(serde_json::json!({ "scalar": scalar })).map_err(ApiError::internal)
}

/// The quantization of collections created without a `quantization_config`: scalar (int8),
/// which qdrant-local makes the default where Qdrant has none. A sealed segment then keeps,
/// beside its dense vectors, a copy at a byte a dimension, which a search scans instead (a
/// quarter of the memory to read), rescoring the best candidates with the original vectors
/// (see [`crate::ops::search_params`]). At 109,253 points of 384 dimensions a dense search
/// took 8–12 ms instead of 21–27 ms, with the exact scan's top 10 in every measured query
/// (`docs/BENCHMARKS.md`, "quantized dense search on qdrant-local"). The appendable segment
/// (up to [`SEAL_POINTS`] points) is scanned exactly, as before.
pub(crate) fn default_quantization() -> Result<QuantizationConfig, ApiError> {
    scalar_quantization(Some(SCALAR_QUANTILE), None)
}

fn engine_config(meta: &CollectionMeta, quantization: Option<QuantizationConfig>) -> EdgeConfig {
    let mut config = EdgeConfig::builder();
    for (name, d) in &meta.dense {
        config = config
            .vector(name.as_str(), EdgeVectorParams::builder(d.size, d.distance.engine()).on_disk(d.on_disk).build());
    }
    for (name, sp) in &meta.sparse {
        let mut params = EdgeSparseVectorParamsBuilder::new();
        if let Some(m) = sp.modifier {
            params = params.modifier(m);
        }
        config = config.sparse_vector(name.as_str(), params.build());
    }
    if let Some(q) = quantization {
        config = config.quantization_config(q);
    }
    config
        .on_disk_payload(true)
        .hnsw_config(no_graph())
        .optimizers(sealing_optimizers())
        .wal_options(WalOptions { segment_capacity: ENGINE_LOG_SEGMENT_BYTES, ..WalOptions::default() })
        .build()
}

/// The dense index a sealed segment gets: HNSW without a graph (`m` and `payload_m` 0), which
/// the engine searches by a full scan, as it does the appendable segment (of the quantized
/// vectors where the collection has them, see [`default_quantization`]); building it costs
/// nothing.
fn no_graph() -> HnswIndexConfig {
    HnswIndexConfig { m: 0, payload_m: Some(0), ..HnswIndexConfig::default() }
}

/// The engine's optimizers as [`Collection::seal`] runs them: every unindexed segment holding
/// vectors (1 KiB or more) is sealed (qdrant-local runs them only once the appendable segment
/// has grown),
/// sealed segments with many deleted points are rebuilt without them, and segments are not
/// merged (a merge rebuilds large segments again and again, for no gain in an exact search).
fn sealing_optimizers() -> EdgeOptimizersConfig {
    EdgeOptimizersConfig {
        indexing_threshold: Some(1),
        default_segment_number: Some(MAX_SEGMENTS),
        deleted_threshold: Some(VACUUM_DELETED),
        vacuum_min_vector_number: Some(VACUUM_MIN_POINTS),
        ..EdgeOptimizersConfig::default()
    }
}

/// Waits until nobody else holds `arc`, then returns the collection by value.
fn wait_unique(mut arc: Arc<Collection>) -> Option<Collection> {
    let deadline = std::time::Instant::now() + RELEASE_WAIT;
    loop {
        match Arc::try_unwrap(arc) {
            Ok(c) => return Some(c),
            Err(back) => {
                if std::time::Instant::now() > deadline {
                    tracing::warn!(collection = %back.name, "collection still in use, leaving it open");
                    return None;
                }
                arc = back;
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

impl Store {
    /// Opens (or initialises) the storage directory and loads every collection in it.
    pub fn open(root: &Path, durable: bool, seal_points: usize) -> Result<Self> {
        Self::open_with(root, durable, SealPolicy::every(seal_points))
    }

    /// [`Store::open`] with a [`SealPolicy`].
    pub fn open_with(root: &Path, durable: bool, seal: SealPolicy) -> Result<Self> {
        let cdir = root.join(COLLECTIONS_DIR);
        fs::create_dir_all(&cdir).map_err(io_err(&cdir))?;
        let aliases_path = root.join(ALIASES_FILE);
        let aliases: BTreeMap<String, String> = match fs::read(&aliases_path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Storage {
                path: aliases_path.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(io_err(&aliases_path)(e)),
        };

        let mut collections = HashMap::new();
        for entry in fs::read_dir(&cdir).map_err(io_err(&cdir))? {
            let entry = entry.map_err(io_err(&cdir))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !path.is_dir() {
                continue;
            }
            if name.starts_with('.') {
                // An interrupted create or delete.
                tracing::info!(dir = %path.display(), "removing leftover directory");
                fs::remove_dir_all(&path).map_err(io_err(&path))?;
                continue;
            }
            let meta_path = path.join(META_FILE);
            let meta: CollectionMeta = fs::read(&meta_path).map_err(io_err(&meta_path)).and_then(|b| {
                serde_json::from_slice(&b).map_err(|e| Error::Storage {
                    path: meta_path.display().to_string(),
                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                })
            })?;
            let collection = Collection::open(name.clone(), &path, meta, durable, &seal)?;
            tracing::debug!(collection = %name, "collection loaded");
            collections.insert(name, Arc::new(collection));
        }
        // Aliases to collections that are gone (deleted while the alias file write failed).
        let aliases = aliases.into_iter().filter(|(_, c)| collections.contains_key(c)).collect();
        Ok(Self {
            root: root.to_owned(),
            inner: RwLock::new(Inner { collections, aliases }),
            ddl: Mutex::new(()),
            durable,
            seal,
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The collection called `name`, or the one the alias `name` points to.
    pub fn resolve(&self, name: &str) -> Result<Arc<Collection>, ApiError> {
        let inner = self.read();
        if let Some(c) = inner.collections.get(name) {
            return Ok(c.clone());
        }
        inner
            .aliases
            .get(name)
            .and_then(|c| inner.collections.get(c))
            .cloned()
            .ok_or_else(|| ApiError::collection_not_found(name))
    }

    /// Whether a collection (not an alias) of this name exists.
    pub fn exists(&self, name: &str) -> bool {
        self.read().collections.contains_key(name)
    }

    /// Collection names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<_> = self.read().collections.keys().cloned().collect();
        v.sort();
        v
    }

    /// `(alias, collection)` pairs, optionally only those of one collection.
    pub fn aliases(&self, of: Option<&str>) -> Vec<(String, String)> {
        self.read()
            .aliases
            .iter()
            .filter(|(_, c)| of.is_none_or(|o| o == c.as_str()))
            .map(|(a, c)| (a.clone(), c.clone()))
            .collect()
    }

    /// Creates a collection, its dense vectors quantized as `quantization` says once sealed
    /// (see [`default_quantization`]); 409 if one of that name exists.
    pub fn create(
        &self,
        name: &str,
        meta: CollectionMeta,
        quantization: Option<QuantizationConfig>,
    ) -> Result<(), ApiError> {
        validate_name("collection", name)?;
        meta.validate()?;
        let _ddl = lock(&self.ddl);
        if self.exists(name) {
            return Err(ApiError::conflict(format!("Collection `{name}` already exists!")));
        }
        let cdir = self.root.join(COLLECTIONS_DIR);
        let tmp = cdir.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
        let built = (|| -> Result<(), ApiError> {
            fs::create_dir_all(tmp.join(SHARD_DIR)).map_err(ApiError::internal)?;
            let meta_bytes = serde_json::to_vec_pretty(&meta).map_err(ApiError::internal)?;
            write_atomic(&tmp.join(META_FILE), &meta_bytes).map_err(ApiError::internal)?;
            // Built and closed under the temporary name, then reopened under the real one:
            // the engine remembers its path.
            let config = engine_config(&meta, quantization);
            let shard = EdgeShard::new(&tmp.join(SHARD_DIR), config).map_err(ApiError::from_engine)?;
            drop(shard);
            Ok(())
        })();
        if let Err(e) = built {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let dir = cdir.join(name);
        if dir.exists() {
            let _ = fs::remove_dir_all(&tmp);
            return Err(ApiError::internal(format!(
                "directory for collection `{name}` exists but the collection is not loaded"
            )));
        }
        fs::rename(&tmp, &dir).map_err(ApiError::internal)?;
        let collection = Arc::new(
            Collection::open(name.to_owned(), &dir, meta, self.durable, &self.seal)
                .map_err(|e| ApiError::internal(e.to_string()))?,
        );
        self.write().collections.insert(name.to_owned(), collection);
        tracing::info!(collection = %name, "collection created");
        Ok(())
    }

    /// Deletes a collection and its aliases; `false` if there was none.
    pub fn delete(&self, name: &str) -> Result<bool, ApiError> {
        let _ddl = lock(&self.ddl);
        let removed = {
            let mut inner = self.write();
            let Some(c) = inner.collections.remove(name) else {
                return Ok(false);
            };
            let before = inner.aliases.len();
            inner.aliases.retain(|_, target| target != name);
            if inner.aliases.len() != before {
                self.save_aliases(&inner.aliases)?;
            }
            c
        };
        let dir = self.root.join(COLLECTIONS_DIR).join(name);
        let grave = self.root.join(COLLECTIONS_DIR).join(format!(".deleting-{}", uuid::Uuid::new_v4()));
        // Close the shard first: closing flushes into its directory.
        if let Some(c) = wait_unique(removed) {
            drop(c);
        }
        fs::rename(&dir, &grave).map_err(ApiError::internal)?;
        if let Err(e) = fs::remove_dir_all(&grave) {
            tracing::warn!(dir = %grave.display(), error = %e, "could not remove deleted collection");
        }
        tracing::info!(collection = %name, "collection deleted");
        Ok(true)
    }

    fn save_aliases(&self, aliases: &BTreeMap<String, String>) -> Result<(), ApiError> {
        let bytes = serde_json::to_vec_pretty(aliases).map_err(ApiError::internal)?;
        write_atomic(&self.root.join(ALIASES_FILE), &bytes).map_err(ApiError::internal)
    }

    /// Applies alias actions all together, or none of them.
    pub fn change_aliases(&self, actions: &[AliasAction]) -> Result<(), ApiError> {
        let mut inner = self.write();
        let mut next = inner.aliases.clone();
        for action in actions {
            match action {
                AliasAction::Create { collection, alias } => {
                    validate_name("alias", alias)?;
                    if !inner.collections.contains_key(collection) {
                        return Err(ApiError::collection_not_found(collection));
                    }
                    if inner.collections.contains_key(alias) {
                        return Err(ApiError::bad_request(format!(
                            "Alias `{alias}` has the name of an existing collection"
                        )));
                    }
                    // Like Qdrant, creating an existing alias re-points it.
                    next.insert(alias.clone(), collection.clone());
                }
                AliasAction::Delete { alias } => {
                    if next.remove(alias).is_none() {
                        return Err(ApiError::not_found(format!("Alias {alias} does not exists!")));
                    }
                }
                AliasAction::Rename { old, new } => {
                    validate_name("alias", new)?;
                    if inner.collections.contains_key(new) {
                        return Err(ApiError::bad_request(format!(
                            "Alias `{new}` has the name of an existing collection"
                        )));
                    }
                    let Some(target) = next.remove(old) else {
                        return Err(ApiError::not_found(format!("Alias {old} does not exists!")));
                    };
                    next.insert(new.clone(), target);
                }
            }
        }
        self.save_aliases(&next)?;
        inner.aliases = next;
        Ok(())
    }

    /// Flushes every collection changed since its last flush, and starts sealing those whose
    /// appendable segment has grown past the limit, each on a thread of its own.
    pub fn flush_dirty(&self) {
        let all: Vec<_> = self.read().collections.values().cloned().collect();
        for c in all {
            c.flush_if_dirty();
            if c.seal_due() {
                let name = c.name.clone();
                let spawned = std::thread::Builder::new().name(format!("seal {name}")).spawn(move || {
                    c.seal();
                });
                if let Err(e) = spawned {
                    tracing::warn!(collection = %name, error = %e, "cannot start sealing");
                }
            }
        }
    }

    /// Flushes and closes every collection, so another process or server may open the directory.
    pub fn close(&self) {
        let _ddl = lock(&self.ddl);
        let drained: Vec<_> = self.write().collections.drain().map(|(_, c)| c).collect();
        for c in drained {
            let name = c.name.clone();
            match wait_unique(c) {
                Some(c) => drop(c),
                None => tracing::warn!(collection = %name, "closed while still in use"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn collections_created_before_the_on_disk_setting_keep_their_vectors_in_memory() {
        let old: CollectionMeta = serde_json::from_str(r#"{ "size": 384, "distance": "Cosine" }"#).unwrap();
        assert!(!old.unnamed().unwrap().on_disk);
        let new: CollectionMeta =
            serde_json::from_str(r#"{ "size": 384, "distance": "Cosine", "on_disk": true }"#).unwrap();
        assert!(new.unnamed().unwrap().on_disk);
        assert!(
            serde_json::from_str::<CollectionMeta>(r#"{ "size": 4, "distance": "Cosine", "onDisk": true }"#).is_err()
        );
    }

    /// A shard whose log lock is still held for a moment (by a child process between its
    /// fork and its exec, in the wild) opens once the lock is let go, instead of failing.
    #[test]
    fn a_shard_whose_log_is_locked_for_a_moment_opens_when_it_is_let_go() {
        let root = tempfile::tempdir().unwrap();
        let shard_dir = root.path().join(SHARD_DIR);
        fs::create_dir_all(&shard_dir).unwrap();
        let config =
            EdgeConfig::builder().vector("d", EdgeVectorParams::builder(4, qdrant_edge::Distance::Dot).build()).build();
        drop(EdgeShard::new(&shard_dir, config).unwrap());
        let held = fs::File::open(shard_dir.join("wal")).unwrap();
        held.try_lock().unwrap();
        let locked = EdgeShard::load(&shard_dir, None).map(drop).unwrap_err();
        assert!(locked.to_string().contains("WouldBlock"), "{locked}");
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(held);
        });
        let started = Instant::now();
        let shard = load_engine(&shard_dir).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(250), "opened while the lock was held");
        release.join().unwrap();
        drop(shard);
    }

    #[test]
    fn a_single_vector_collection_writes_the_file_older_releases_read() {
        let single = CollectionMeta::single(384, Distance::Cosine, true);
        let written = serde_json::to_value(&single).unwrap();
        assert_eq!(written, serde_json::json!({ "size": 384, "distance": "Cosine", "on_disk": true }));
        assert_eq!(serde_json::from_value::<CollectionMeta>(written).unwrap(), single);
    }

    #[test]
    fn named_dense_and_sparse_vectors_round_trip_through_the_file() {
        let text = r#"{ "vectors": { "dense": { "size": 8, "distance": "Dot", "on_disk": false } },
                        "sparse_vectors": { "bm25": { "modifier": "idf" }, "plain": {} } }"#;
        let meta: CollectionMeta = serde_json::from_str(text).unwrap();
        assert!(meta.unnamed().is_none());
        assert_eq!(meta.dense["dense"], DenseParams { size: 8, distance: Distance::Dot, on_disk: false });
        assert_eq!(meta.sparse["bm25"].modifier, Some(qdrant_edge::Modifier::Idf));
        assert_eq!(meta.sparse["plain"].modifier, None);
        let again: CollectionMeta = serde_json::from_value(serde_json::to_value(&meta).unwrap()).unwrap();
        assert_eq!(again, meta);
        // Unnamed plus sparse, as Qdrant allows.
        let mixed: CollectionMeta =
            serde_json::from_str(r#"{ "size": 4, "distance": "Cosine", "sparse_vectors": { "s": {} } }"#).unwrap();
        assert_eq!(mixed.unnamed().unwrap().size, 4);
        assert!(mixed.validate().is_ok());
        for bad in [
            r#"{ "size": 4 }"#,
            r#"{ "size": 4, "distance": "Cosine", "vectors": { "a": { "size": 4, "distance": "Cosine" } } }"#,
            r#"{ "sparse_vectors": { "s": { "modifier": "bm25" } } }"#,
        ] {
            assert!(serde_json::from_str::<CollectionMeta>(bad).is_err(), "{bad}");
        }
        let clash: CollectionMeta = serde_json::from_str(
            r#"{ "vectors": { "x": { "size": 4, "distance": "Cosine" } }, "sparse_vectors": { "x": {} } }"#,
        )
        .unwrap();
        assert!(clash.validate().unwrap_err().message.contains("both a dense and a sparse"));
        let empty: CollectionMeta = serde_json::from_str("{}").unwrap();
        assert!(empty.validate().is_err());
    }

    /// The write that makes a collection due for a seal wakes the flusher, once.
    #[tokio::test]
    async fn the_write_that_makes_a_seal_due_wakes_the_flusher() {
        use crate::ops::{NewPoint, PointVectors, VectorIn};
        let root = tempfile::tempdir().unwrap();
        let wake = Arc::new(tokio::sync::Notify::new());
        let store = Store::open_with(root.path(), false, SealPolicy { points: 10, wake: Some(wake.clone()) }).unwrap();
        let meta: CollectionMeta = serde_json::from_str(
            r#"{ "vectors": { "d": { "size": 4, "distance": "Dot" } }, "sparse_vectors": { "s": { "modifier": "idf" } } }"#,
        )
        .unwrap();
        store.create("c", meta, None).unwrap();
        let c = store.resolve("c").unwrap();
        let points = |from: u64| -> Vec<NewPoint> {
            (from..from + 5)
                .map(|i| NewPoint {
                    id: qdrant_edge::PointId::NumId(i),
                    vector: PointVectors::Named(vec![
                        ("d".to_owned(), VectorIn::Dense(vec![i as f32; 4])),
                        ("s".to_owned(), VectorIn::Sparse { indices: vec![1, 2], values: vec![1.0, 0.5] }),
                    ]),
                    payload: serde_json::Map::new(),
                })
                .collect()
        };
        let woken = || async { tokio::time::timeout(Duration::from_millis(50), wake.notified()).await.is_ok() };

        crate::ops::upsert(&c, points(0)).unwrap();
        assert!(!c.seal_due());
        assert!(!woken().await, "5 of 10 points: not due yet");
        crate::ops::upsert(&c, points(5)).unwrap();
        assert!(c.seal_due());
        assert!(woken().await, "the write that made the seal due wakes the flusher");
        crate::ops::upsert(&c, points(10)).unwrap();
        assert!(!woken().await, "only the write that crossed the limit wakes it");
        drop(c);
        store.close();
    }

    /// A collection written before sealing existed (the engine's default settings: an HNSW
    /// graph, default optimizers) opens, takes the sealing settings, seals and keeps its points.
    #[test]
    fn a_collection_from_before_sealing_opens_and_seals() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(COLLECTIONS_DIR).join("old");
        fs::create_dir_all(dir.join(SHARD_DIR)).unwrap();
        let meta: CollectionMeta =
            serde_json::from_str(r#"{ "vectors": { "d": { "size": 64, "distance": "Dot" } }, "sparse_vectors": { "s": { "modifier": "idf" } } }"#)
                .unwrap();
        fs::write(dir.join(META_FILE), serde_json::to_vec(&meta).unwrap()).unwrap();
        let mut old = EdgeConfig::builder()
            .vector("d", EdgeVectorParams::builder(64, qdrant_edge::Distance::Dot).build())
            .sparse_vector("s", EdgeSparseVectorParamsBuilder::new().modifier(qdrant_edge::Modifier::Idf).build());
        old = old.on_disk_payload(true);
        let shard = EdgeShard::new(&dir.join(SHARD_DIR), old.build()).unwrap();
        assert_ne!(shard.config().hnsw_config, no_graph());
        drop(shard);

        let store = Store::open(root.path(), false, 10).unwrap();
        let c = store.resolve("old").unwrap();
        let points = |from: u64| -> Vec<crate::ops::NewPoint> {
            use crate::ops::{PointVectors, VectorIn};
            (from..from + 25)
                .map(|i| crate::ops::NewPoint {
                    id: qdrant_edge::PointId::NumId(i),
                    vector: PointVectors::Named(vec![
                        ("d".to_owned(), VectorIn::Dense(vec![i as f32; 64])),
                        ("s".to_owned(), VectorIn::Sparse { indices: vec![(i % 3) as u32, 7], values: vec![1.0, 0.5] }),
                    ]),
                    payload: serde_json::Map::new(),
                })
                .collect()
        };
        crate::ops::upsert(&c, points(0)).unwrap();
        assert!(c.seal_due());
        // 25 points of 64 dimensions: past the engine's 1 KiB threshold.
        assert!(c.seal());
        crate::ops::upsert(&c, points(25)).unwrap();
        {
            let shard = c.shard().unwrap();
            assert_eq!(shard.config().hnsw_config, no_graph());
            assert_eq!(shard.config().optimizers, sealing_optimizers());
            assert!(shard.info().segments_count >= 2);
        }
        assert_eq!(c.count_all().unwrap(), 50);
        assert!(!dir.join(SEALING_FILE).exists() && !dir.join(SEALING_BACKUP_DIR).exists());
        drop(c);
        store.close();
        let store = Store::open(root.path(), false, 10).unwrap();
        assert_eq!(store.resolve("old").unwrap().count_all().unwrap(), 50);
    }

    /// A crash after the engine swapped the sealed segment in and deleted the old one, before
    /// the sealing file was removed: the next open goes back to the segments from before the
    /// seal (restored from the backup), with every point.
    #[test]
    fn a_seal_cut_short_after_the_old_segment_was_deleted_is_undone() {
        let root = tempfile::tempdir().unwrap();
        let store = Store::open(root.path(), false, usize::MAX).unwrap();
        let meta: CollectionMeta = serde_json::from_str(
            r#"{ "vectors": { "d": { "size": 64, "distance": "Dot" } }, "sparse_vectors": { "s": { "modifier": "idf" } } }"#,
        )
        .unwrap();
        store.create("c", meta, None).unwrap();
        let c = store.resolve("c").unwrap();
        let points: Vec<crate::ops::NewPoint> = (0..40u64)
            .map(|i| crate::ops::NewPoint {
                id: qdrant_edge::PointId::NumId(i),
                vector: crate::ops::PointVectors::Named(vec![
                    ("d".to_owned(), crate::ops::VectorIn::Dense(vec![i as f32; 64])),
                    ("s".to_owned(), crate::ops::VectorIn::Sparse { indices: vec![(i % 5) as u32], values: vec![1.0] }),
                ]),
                payload: serde_json::Map::new(),
            })
            .collect();
        crate::ops::upsert(&c, points).unwrap();
        let dir = root.path().join(COLLECTIONS_DIR).join("c");
        let shard_dir = dir.join(SHARD_DIR);
        // What a seal does, up to the engine's run, then the process dies.
        {
            let mut journal = lock(&c.write);
            c.flush_locked(&mut journal);
        }
        let before = segment_dirs(&shard_dir);
        fs::create_dir(dir.join(SEALING_BACKUP_DIR)).unwrap();
        for name in &before {
            link_tree(&shard_dir.join(ENGINE_SEGMENTS_DIR).join(name), &dir.join(SEALING_BACKUP_DIR).join(name))
                .unwrap();
        }
        write_atomic(&dir.join(SEALING_FILE), &serde_json::to_vec(&before).unwrap()).unwrap();
        assert!(c.shard().unwrap().optimize().unwrap());
        let after = segment_dirs(&shard_dir);
        assert!(before.iter().all(|b| !after.contains(b)), "the sealed segment was deleted: {before:?} {after:?}");
        // The crash: the files as they are now, in another directory (the engine locks its log),
        // nothing flushed or closed.
        fn copy_tree(from: &Path, to: &Path) {
            fs::create_dir_all(to).unwrap();
            for entry in fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_dir() {
                    copy_tree(&entry.path(), &to.join(entry.file_name()));
                } else {
                    fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
                }
            }
        }
        let crashed = tempfile::tempdir().unwrap();
        copy_tree(root.path(), crashed.path());
        drop(c);
        store.close();
        let dir = crashed.path().join(COLLECTIONS_DIR).join("c");
        let shard_dir = dir.join(SHARD_DIR);

        let store = Store::open(crashed.path(), false, usize::MAX).unwrap();
        assert_eq!(segment_dirs(&shard_dir), before, "back to the segments from before the seal");
        assert!(!dir.join(SEALING_FILE).exists() && !dir.join(SEALING_BACKUP_DIR).exists());
        let c = store.resolve("c").unwrap();
        assert_eq!(c.count_all().unwrap(), 40);
        assert_eq!(c.shard().unwrap().info().segments_count, 1);
    }

    #[test]
    fn the_default_quantization_is_scalar_int8_and_a_bad_quantile_is_refused() {
        let q = serde_json::to_value(default_quantization().unwrap()).unwrap();
        assert_eq!(q["scalar"]["type"], "int8");
        assert!((q["scalar"]["quantile"].as_f64().unwrap() - 0.99).abs() < 1e-6, "{q}");
        assert!(q["scalar"].get("always_ram").is_none(), "{q}");
        let q = serde_json::to_value(scalar_quantization(None, Some(true)).unwrap()).unwrap();
        assert_eq!(q, serde_json::json!({ "scalar": { "type": "int8", "always_ram": true } }));
        for bad in [0.49, 1.01, f32::NAN] {
            assert!(scalar_quantization(Some(bad), None).unwrap_err().message.contains("quantile"), "{bad}");
        }
    }

    #[test]
    fn memory_overrides_on_disk_and_pinned_is_refused() {
        let on_disk = CollectionMeta::vectors_on_disk;
        assert_eq!(on_disk(None, None), Ok(true));
        assert_eq!(on_disk(Some(false), None), Ok(false));
        assert_eq!(on_disk(Some(false), Some("cold")), Ok(true));
        assert_eq!(on_disk(Some(true), Some("cached")), Ok(false));
        assert!(on_disk(None, Some("pinned")).unwrap_err().contains("not supported"));
        assert!(on_disk(None, Some("warm")).unwrap_err().contains("`warm`"));
    }
}
