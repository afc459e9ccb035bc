//! `qdrant-local`: a small Qdrant-compatible server on loopback, for development, tests and
//! single-machine deployments of weir.
//!
//! It speaks the part of Qdrant's REST API (and, with the generated server types of the official
//! `qdrant-client` crate, of its gRPC API) that a sync pipeline needs, and stores each collection
//! in one shard of Qdrant's official embedded engine, `qdrant-edge` (pinned to 0.7.0, the last
//! release that builds on our toolchain). Unmodified Qdrant clients work against it.
//!
//! The weir host starts it in-process when a sink's URL is `embedded`; tests start, stop and
//! restart it on a temporary directory:
//!
//! ```no_run
//! # async fn demo() -> qdrant_local::Result<()> {
//! let server = qdrant_local::QdrantLocal::start("data/qdrant", qdrant_local::LOOPBACK).await?;
//! println!("REST at {}, gRPC at {}", server.rest_url(), server.grpc_url());
//! server.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! # What is supported
//! One unnamed dense vector per collection, or named dense vectors (size + `Cosine`/`Dot`/
//! `Euclid`/`Manhattan`), and named sparse vectors, with or without the `idf` modifier (the
//! engine weighs query terms by their inverse document frequency in the collection at search
//! time, which makes BM25 from term frequencies). Point ids as unsigned integers or UUIDs, JSON
//! payloads, payload indexes, filters (`must`/`should`/`must_not`, `match` value/any/except,
//! `range`, `has_id`, `is_empty`, … — the engine's own filter type), aliases, exact counts.
//! The Query API: nearest to a dense or a sparse vector (`using` names it), nestable
//! `prefetch`es fused by `rrf` (Qdrant's default `k` of 2, or `{"rrf": {"k", "weights"}}`) or
//! `dbsf`, filters, `limit`/`offset`, `score_threshold`. Points of equal score answer in id order
//! (Qdrant leaves their order open; the engine would leave them in the order they were
//! written, which differs between two collections filled with the same points by concurrent
//! writers). A fusion whose prefetches are all leaves is run here, not in the engine: each
//! prefetch is asked of the engine on its own and its ties ranked by id before RRF or DBSF
//! reads them, so the same points fuse to the same scores (nested prefetches, and DBSF over a
//! distance, stay with the engine and its order of ties). Not supported: multi-vectors, inference (documents, images), queries by point id,
//! recommend/discover/formula/MMR/sampling queries, sharding, snapshots, `order_by`.
//!
//! # Dense search: a full scan, of quantized vectors once sealed
//! The engine builds an HNSW graph only in `optimize()`, blocking and slow (minutes at 100k
//! points on two cores). qdrant-local builds none: every dense search scans every point. A new
//! collection's dense vectors are quantized (scalar int8, Qdrant's `quantization_config`, the
//! default here where Qdrant has none; `null` at creation turns it off): each sealed segment
//! (see below) keeps a byte-per-dimension copy of its vectors, which a search scans instead,
//! then rescores its best candidates (twice as many as it returns, per segment) with the
//! original vectors, so the scores it answers are exact and its ranking misses a true neighbour
//! only where quantization pushed it out of those candidates. At 109,253 points of 384
//! dimensions that halves a dense search, with the exact scan's top 10 in every measured query
//! (`docs/BENCHMARKS.md`). Search params as in Qdrant: `exact: true` scans the original
//! vectors; `quantization` (`ignore`, `rescore`, `oversampling`) overrides qdrant-local's
//! defaults (rescore, oversampling 2); `hnsw_ef` and `acorn` change nothing, there being no
//! graph. Collections created before quantization existed keep scanning their original
//! vectors. A store much larger than ~1M points should use real Qdrant.
//!
//! # Sealing
//! A collection's points go into one appendable segment, whose sparse index updates a term's
//! whole posting list on every insert: a sparse vector's insert costs in proportion to the
//! points already there that share its terms, so hybrid ingest slows down as the segment
//! grows. Once [`Options::seal_points`] points were written into it (10,000 by default), a
//! background thread runs the engine's optimizer to seal it, woken by the write that reached the
//! limit ([`Options::seal_promptly`]): rebuilt as an immutable segment,
//! its sparse index built in bulk, its dense vectors under an HNSW index without a graph
//! (`m` 0, searched by the same full scan) and, unless turned off, quantized; a new empty
//! appendable segment takes the writes. The same run rebuilds sealed segments of which more than a fifth of the points
//! were deleted or rewritten since; segments are never merged. Searches go on while it runs;
//! updates wait for it (about half a second per 10,000 points). Queries see every segment: IDF
//! statistics are summed over all of them, so a collection sealed into several segments ranks
//! as one segment does. One difference, as in Qdrant: a point rewritten or deleted after its
//! segment was sealed leaves its old copy there, marked deleted, until that segment is
//! rebuilt, and the copy still counts in the IDF statistics (its score weights move a little;
//! which points match does not). A collection's `segments_count` counts the sealed segments
//! and the appendable one.

//! # Durability
//! Updates are applied before the answer (the `wait` flag only changes the reported status).
//! Before it is applied, every update is appended to the collection's journal; changed
//! collections are flushed to disk every [`FLUSH_INTERVAL`] and on shutdown, and the journal is
//! then emptied. A collection that opens with a non-empty journal (the process died) applies it
//! again, so an acknowledged update survives a crash of the process. With
//! [`Options::durable`] (the default) each append is also synced to disk before the answer,
//! so it survives a crash of the machine too. The engine keeps a log of its own that it never
//! reads back nor truncates; qdrant-local prunes it when a collection opens and, past a few
//! segments, by reopening the collection. A seal starts from a flushed collection with an
//! empty journal and first hard-links its segments aside; a seal cut short (the process
//! killed, an engine error) goes back to them when the collection opens again.

mod error;
mod grpc;
mod journal;
#[cfg(feature = "openapi")]
pub mod openapi;
mod ops;
mod rest;
mod store;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use error::{ApiError, ApiErrorKind, Error, Result};
pub use rest::{API_VERSION, TITLE};

/// The REST router without a listener, for the fuzz targets in `fuzz/`, which send it requests
/// in-process. Not an API: nothing outside this repository should depend on it.
#[doc(hidden)]
pub mod fuzzing {
    use std::path::Path;
    use std::sync::Arc;

    /// Opens (or initialises) the storage directory `dir` and answers REST on it, without an API
    /// key. Updates are not flushed before their answer (no server runs the periodic flush).
    pub fn router(dir: &Path) -> crate::Result<axum::Router> {
        let store = crate::store::Store::open(dir, false, crate::store::SEAL_POINTS)?;
        Ok(crate::rest::router(Arc::new(store), None))
    }
}

/// `127.0.0.1:0`: loopback, any free port.
pub const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
/// How often collections changed since their last flush are written to disk.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// How long [`QdrantLocal::shutdown`] lets open connections finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Where to listen and where to store.
#[derive(Debug, Clone)]
pub struct Options {
    /// Storage directory; created if missing. One server at a time may use it.
    pub dir: PathBuf,
    /// REST listen address.
    pub rest_addr: SocketAddr,
    /// gRPC listen address; `None` serves no gRPC.
    pub grpc_addr: Option<SocketAddr>,
    /// Sync every update's journal record to disk before answering it (default), so that an
    /// acknowledged write survives a crash of the machine. Off, it survives a crash of the
    /// process (the journal is written, not synced): a little faster, weaker promise.
    pub durable: bool,
    /// When set, every REST request must carry it in an `api-key` header (or as
    /// `Authorization: Bearer …`) and every gRPC call in `api-key` metadata, as Qdrant's own
    /// `service.api_key` does; others get 401 / `UNAUTHENTICATED`. Health checks stay open.
    pub api_key: Option<String>,
    /// Points written into a collection's appendable segment after which it is sealed into an
    /// immutable one (see "Sealing" in the crate's documentation). Default 10,000, or
    /// `QDRANT_LOCAL_SEAL_POINTS` from the environment.
    pub seal_points: usize,
    /// Start a seal as soon as a write makes one due rather than at the next periodic flush
    /// (default; `QDRANT_LOCAL_SEAL_PROMPTLY=0` in the environment turns it off). At a few
    /// thousand points a second, waiting for the flush lets the appendable segment grow up to
    /// a second's writes past the limit.
    pub seal_promptly: bool,
}

impl Options {
    /// REST on `rest_addr`, gRPC on any free port of the same interface.
    pub fn new(dir: impl Into<PathBuf>, rest_addr: SocketAddr) -> Self {
        Self {
            dir: dir.into(),
            rest_addr,
            grpc_addr: Some(SocketAddr::new(rest_addr.ip(), 0)),
            durable: true,
            api_key: None,
            seal_points: env_usize("QDRANT_LOCAL_SEAL_POINTS").unwrap_or(store::SEAL_POINTS),
            seal_promptly: std::env::var("QDRANT_LOCAL_SEAL_PROMPTLY").map_or(true, |v| v != "0"),
        }
    }
}

/// A positive number from the environment variable `name`, if it holds one. The sealing
/// settings are read so that an embedding process (which builds its [`Options`] with
/// [`Options::new`]) can be measured with other values without another build.
fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.trim().parse().ok().filter(|n| *n > 0)
}

/// A running server. Dropping it without [`QdrantLocal::shutdown`] stops the listeners but
/// closes the storage only when the last request finishes.
#[derive(Debug)]
pub struct QdrantLocal {
    rest_addr: SocketAddr,
    grpc_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    store: Arc<store::Store>,
}

impl std::fmt::Debug for store::Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr: addr.to_string(), source })
}

impl QdrantLocal {
    /// Opens `dir` and serves REST on `addr` (use [`LOOPBACK`] for any free loopback port) and
    /// gRPC on another free port of the same interface.
    pub async fn start(dir: impl AsRef<Path>, addr: SocketAddr) -> Result<Self> {
        Self::start_with(Options::new(dir.as_ref(), addr)).await
    }

    /// Starts with explicit [`Options`].
    pub async fn start_with(opts: Options) -> Result<Self> {
        let dir = opts.dir.clone();
        let durable = opts.durable;
        let wake = Arc::new(tokio::sync::Notify::new());
        let seal =
            store::SealPolicy { points: opts.seal_points.max(1), wake: opts.seal_promptly.then(|| wake.clone()) };
        let store = tokio::task::spawn_blocking(move || store::Store::open_with(&dir, durable, seal))
            .await
            .map_err(|e| Error::Server(e.to_string()))??;
        let store = Arc::new(store);

        let rest_listener = bind(opts.rest_addr).await?;
        let rest_addr =
            rest_listener.local_addr().map_err(|source| Error::Bind { addr: opts.rest_addr.to_string(), source })?;
        let grpc_listener = match opts.grpc_addr {
            Some(a) => Some(bind(a).await?),
            None => None,
        };
        let grpc_addr = grpc_listener.as_ref().and_then(|l| l.local_addr().ok());

        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();

        let app = rest::router(store.clone(), opts.api_key.clone());
        let mut rx = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let res = axum::serve(rest_listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = res {
                tracing::error!(error = %e, "REST server failed");
            }
        }));

        if let Some(listener) = grpc_listener {
            let rx = stopped.clone();
            tasks.push(tokio::spawn(grpc::serve(listener, store.clone(), opts.api_key.clone(), rx)));
        }

        let flusher = store.clone();
        let mut rx = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    // A collection is due for a seal: flushed and sealed now, not at the tick.
                    () = wake.notified() => {}
                    _ = rx.wait_for(|s| *s) => break,
                }
                let s = flusher.clone();
                let _ = tokio::task::spawn_blocking(move || s.flush_dirty()).await;
            }
        }));

        tracing::info!(rest = %rest_addr, grpc = ?grpc_addr, dir = %opts.dir.display(), "qdrant-local started");
        Ok(Self { rest_addr, grpc_addr, stop, tasks, store })
    }

    /// Base URL of the REST API, e.g. `http://127.0.0.1:6333`.
    pub fn rest_url(&self) -> String {
        format!("http://{}", self.rest_addr)
    }

    /// URL of the gRPC API, e.g. `http://127.0.0.1:6334`; empty if gRPC is off.
    pub fn grpc_url(&self) -> String {
        self.grpc_addr.map(|a| format!("http://{a}")).unwrap_or_default()
    }

    /// REST listen address.
    pub fn rest_addr(&self) -> SocketAddr {
        self.rest_addr
    }

    /// gRPC listen address, if serving gRPC.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// Stops listening, lets open requests finish, flushes and closes every collection.
    /// When it returns, another server may open the same directory.
    pub async fn shutdown(mut self) -> Result<()> {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                tracing::warn!("server task did not stop in time; aborting it");
                abort.abort();
            }
        }
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.close()).await.map_err(|e| Error::Server(e.to_string()))?;
        tracing::info!("qdrant-local stopped");
        Ok(())
    }
}

impl Drop for QdrantLocal {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
